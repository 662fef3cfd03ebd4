"""Rebuild tests/data/moby_daemon_json_cases.json: moby's daemon.json test inputs at docker-v29.7.2, each with
dockerd's verdict and the test file, function and line it comes from (found in a moby checkout).

    python tests/conformance/build_moby_cases.py MOBY_GIT_DIR > tests/data/moby_daemon_json_cases.json

Go structs in the tests are written as the daemon.json that sets the same values (note field).
"""
import json, subprocess, base64, sys
R = sys.argv[1] if len(sys.argv) > 1 else "."
TAG = "docker-v29.7.2"
_cache = {}
def src(path):
    if path not in _cache:
        _cache[path] = subprocess.run(["git", "-C", R, "show", TAG + ":" + path], capture_output=True, text=True).stdout.splitlines()
    return _cache[path]
def line_of(path, test, needle):
    lines = src(path)
    start = next(i for i, l in enumerate(lines) if l.startswith("func " + test + "("))
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    raise SystemExit("not found: %s %s %r" % (path, test, needle))
CASES = []
def case(path, test, needle, text, verdict, flags=(), raw=None, note=""):
    c = {"source": path, "test": test, "line": line_of(path, test, needle), "release": "29.7.2",
         "verdict": verdict}
    if raw is not None:
        c["input_base64"] = base64.b64encode(raw).decode()
    else:
        c["input"] = text
    if flags: c["flags"] = list(flags)
    if note: c["note"] = note
    CASES.append(c)
S, R_ = "start", "refuse"
CT = "daemon/config/config_test.go"
CL = "daemon/config/config_linux_test.go"
DT = "daemon/command/daemon_test.go"
DU = "daemon/command/daemon_unix_test.go"
BT = "daemon/config/builder_test.go"
RG = "daemon/pkg/registry/config_test.go"
RT = "daemon/runtime_unix_test.go"
IT = "integration/daemon/daemon_test.go"
# --- config_test.go
case(CT, "TestDaemonConfigurationMalformedJSON", "tru", '{"debug": tru', R_)
for name, enc in (("UTF-8", "utf-8"), ("UTF-8 (with BOM)", "utf-8-sig"), ("UTF-16 (BE with BOM)", "utf-16-be"), ("UTF-16 (LE with BOM)", "utf-16-le")):
    raw = ('{"debug": true}').encode(enc)
    if enc.startswith("utf-16"):
        raw = ("\ufeff" + '{"debug": true}').encode(enc)
    case(CT, "TestDaemonConfigurationUnicodeVariations", '"' + name + '"', None, S, raw=raw, note=name)
case(CT, "TestDaemonConfigurationInvalidUnicode", "configFileBOM", None, R_, raw=b'\xef\xbb\xbf{"debug": true}\xff')
case(CT, "TestDaemonConfigurationInvalidUnicode", "configFileNoBOM", None, R_, raw=b'{"debug": true}\xff')
case(CT, "TestFindConfigurationConflicts", "authorization-plugins", '{"authorization-plugins": "foobar"}', R_, ["--authorization-plugin", "asdf"])
case(CT, "TestFindConfigurationConflictsWithNamedOptions", "hosts", '{"hosts": ["qwer"]}', R_, ["-H", "tcp://127.0.0.1:4444", "-H", "unix:///var/run/docker.sock"])
case(CT, "TestDaemonConfigurationMergeConflicts", "debug", '{"debug": true}', R_, ["--debug=false"])
case(CT, "TestDaemonConfigurationMergeConcurrent", "max-concurrent", '{"max-concurrent-downloads": 1}', S)
case(CT, "TestDaemonConfigurationMergeConcurrentError", "max-concurrent", '{"max-concurrent-downloads": -1}', R_)
case(CT, "TestDefaultStopTimeout", "42}", '{"default-stop-timeout": 42}', S)
case(CT, "TestDefaultStopTimeout", "0}", '{"default-stop-timeout": 0}', S)
case(CT, "TestDaemonConfigurationMergeConflictsWithInnerStructs", "tlscacert", '{"tlscacert": "/etc/certificates/ca.pem"}', R_, ["--tlscacert", "~/.docker/ca.pem"])
case(CT, "TestDaemonConfigurationMergeDefaultAddressPools", "emptyConfigFile :=", '{}', S, ["--default-address-pool", "base=10.123.0.0/16,size=24"])
POOL = '{"default-address-pools":[{"base": "10.123.0.0/16", "size": 24 }]}'
case(CT, "TestDaemonConfigurationMergeDefaultAddressPools", '"config file"', POOL, S)
case(CT, "TestDaemonConfigurationMergeDefaultAddressPools", "with conflicting options", POOL, R_, ["--default-address-pool", "base=10.123.0.0/16,size=24"])
case(CT, "TestFindConfigurationConflictsWithUnknownKeys", "tls-verify", '{"tls-verify": "true"}', R_)
case(CT, "TestFindConfigurationConflictsWithMergedValues", "err := findConfigurationConflicts", '{"hosts": "tcp://127.0.0.1:2345"}', R_,
     note="a string where dockerd expects a list: the conflict check passes, the struct decode then fails")
case(CT, "TestFindConfigurationConflictsWithMergedValues", "flags.Set(", '{"hosts": ["tcp://127.0.0.1:2345"]}', R_, ["-H", "unix:///var/run/docker.sock"])
V = "TestValidateConfigurationErrors"
for name, text, verdict in (
        ("single label without value", '{"labels": ["one"]}', R_),
        ("embedded-containerd with cri-containerd", '{"features": {"embedded-containerd": true}, "cri-containerd": true}', R_),
        ("multiple label without value", '{"labels": ["foo=bar", "one"]}', R_),
        ("single DNSSearch", '{"dns-search": ["123456"]}', R_),
        ("multiple DNSSearch", '{"dns-search": ["a.b.c", "123456"]}', R_),
        ("negative MTU", '{"mtu": -10}', R_),
        ("negative max-concurrent-downloads", '{"max-concurrent-downloads": -10}', R_),
        ("negative max-concurrent-uploads", '{"max-concurrent-uploads": -10}', R_),
        ("negative max-download-attempts", '{"max-download-attempts": -10}', R_),
        ("invalid default-stop-timeout", '{"default-stop-timeout": -1}', R_),
        ("negative network-diagnostic-port", '{"network-diagnostic-port": -1}', R_),
        ("network-diagnostic-port out of range", '{"network-diagnostic-port": 65536}', R_),
        ("generic resource without =", '{"node-generic-resources": ["foo"]}', R_),
        ("generic resource mixed named and discrete", '{"node-generic-resources": ["foo=bar", "foo=1"]}', R_),
        ("with invalid hosts", '{"hosts": ["127.0.0.1:2375/path"]}', R_),
        ("with invalid log-level", '{"log-level": "foobar"}', R_),
        ("exec-opt without value", '{"exec-opts": ["no-value"]}', R_),
        ("exec-opt with empty value", '{"exec-opts": ["empty-value="]}', R_),
        ("exec-opt without key", '{"exec-opts": ["=empty-key"]}', R_),
        ("exec-opt unknown option", '{"exec-opts": ["unknown-option=any-value"]}', R_),
        ("exec-opt invalid on linux", '{"exec-opts": ["isolation=default"]}', R_),
        ("exec-opt invalid on windows", '{"exec-opts": ["native.cgroupdriver=systemd"]}', S),
        ("invalid mirror", '{"registry-mirrors": ["ftp://example.com"]}', R_)):
    case(CT, V, '"%s"' % name, text, verdict, note="Go struct in the test, written as the daemon.json that sets it")
case(CT, "TestValidateEmbeddedContainerdAllowsExplicitAddr", "ContainerdAddr", '{"features": {"embedded-containerd": true}, "containerd": "/run/containerd/containerd.sock"}', S)
for name, text in (("with label", '{"labels": ["one=two"]}'), ("with dns-search", '{"dns-search": ["a.b.c"]}'),
                   ("with mtu", '{"mtu": 1234}'), ("with max-concurrent-downloads", '{"max-concurrent-downloads": 4}'),
                   ("with max-concurrent-uploads", '{"max-concurrent-uploads": 4}'), ("with max-download-attempts", '{"max-download-attempts": 4}'),
                   ("with multiple node generic resources", '{"node-generic-resources": ["foo=bar", "foo=baz"]}'),
                   ("with node generic resources", '{"node-generic-resources": ["foo=1"]}'),
                   ("with hosts", '{"hosts": ["tcp://127.0.0.1:2375"]}'), ("with log-level warn", '{"log-level": "warn"}')):
    case(CT, "TestValidateConfiguration", '"%s"' % name, text, S, note="Go struct in the test, written as daemon.json")
case(CT, "TestConfigDNS", "::1%eth0", '{"dns": ["::1%eth0", "::1%2"]}', S)
case(CT, "TestConfigInvalidDNS", "1.1.1.1o\"]}", '{"dns": ["1.1.1.1o"]}', R_)
case(CT, "TestConfigInvalidDNS", "2.2.2.2", '{"dns": ["2.2.2.2", "1.1.1.1o"]}', R_)
case(CT, "TestConfigInvalidDNS", "1.1.1.1%eth0", '{"dns": ["1.1.1.1%eth0"]}', R_)
case(CT, "TestReloadBadDefaultConfig", "wrong", '{wrong: "configuration"}', R_)
case(CT, "TestReloadWithConflictingLabels", "foo=baz", '{"labels": ["foo=bar", "foo=baz"]}', R_)
case(CT, "TestReloadWithDuplicateLabels", "the-same", '{"labels": ["foo=the-same", "foo=the-same"]}', S)
# --- config_linux_test.go
case(CL, "TestGetConflictFreeConfiguration", "makeConfigFile", '{"debug": true, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 2048, "Soft": 1024}}, "log-opts": {"tag": "test_tag"}, "default-network-opts": {"overlay": {"com.docker.network.driver.mtu": "1337"}}}', S)
case(CL, "TestDaemonConfigurationMerge", "makeConfigFile", '{"debug": true, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 2048, "Soft": 1024}}}', S, ["--log-driver", "syslog", "--log-opt", "tag=from_flag"])
case(CL, "TestDaemonConfigurationMergeShmSize", "1g", '{"default-shm-size": "1g"}', S)
FT = "TestDaemonConfigurationFeatures"
case(CL, FT, "enable from file", '{"features": {"containerd-snapshotter": true}}', S)
case(CL, FT, "enable from flags", '{}', S, ["--feature", "containerd-snapshotter=true"])
case(CL, FT, "disable from file", '{"features": {"containerd-snapshotter": false}}', S)
case(CL, FT, "disable from flags", '{}', S, ["--feature", "containerd-snapshotter=false"])
case(CL, FT, '"conflict"', '{"features": {"containerd-snapshotter": true}}', R_, ["--feature", "containerd-snapshotter=true"])
case(CL, FT, "invalid config value", '{"features": {"containerd-snapshotter": "not-a-boolean"}}', R_)
HG = "TestDaemonConfigurationHostGatewayIP"
for name, text, flags, verdict in (
        ("flag IPv4 only", '{}', ["192.0.2.1"], S), ("flag IPv6 only", '{}', ["2001:db8::1234"], S),
        ("flag IPv4 and IPv6", '{}', ["2001:db8::1234", "192.0.2.1"], S),
        ("flag two IPv4", '{}', ["192.0.2.1", "192.0.2.2"], R_), ("flag two IPv6", '{}', ["2001:db8::1234", "2001:db8::5678"], R_),
        ("legacy config", '{"host-gateway-ip": "2001:db8::1234"}', [], S),
        ("config ipv4", '{"host-gateway-ips": ["192.0.2.1"]}', [], S),
        ("config ipv6", '{"host-gateway-ips": ["2001:db8::1234"]}', [], S),
        ("config ipv4 and ipv6", '{"host-gateway-ips": ["2001:db8::1234", "192.0.2.1"]}', [], S),
        ("config two ipv4", '{"host-gateway-ips": ["192.0.2.1", "192.0.2.2"]}', [], R_),
        ("config two ipv6", '{"host-gateway-ips": ["2001:db8::1234", "2001:db8::5678"]}', [], R_),
        ("config bad address", '{"host-gateway-ips": ["hello"]}', [], R_),
        ("config not array", '{"host-gateway-ips": "192.0.2.1"}', [], R_),
        ("config old and new", '{"host-gateway-ip": "192.0.2.1", "host-gateway-ips": ["192.0.2.1"]}', [], R_),
        ("config old and flag", '{"host-gateway-ip": "192.0.2.2"}', ["192.0.2.1"], R_),
        ("config new and flag", '{"host-gateway-ips": ["192.0.2.2", "2001:db8::1234"]}', ["192.0.2.1"], R_),
        ("config new and old and flag", '{"host-gateway-ip": "192.0.2.2", "host-gateway-ips": ["192.0.2.3"]}', ["192.0.2.1"], R_)):
    fl = []
    for f in flags: fl += ["--host-gateway-ip", f]
    case(CL, HG, '"%s"' % name, text, verdict, fl)
case(CL, "TestDaemonLegacyOptions", "key.json", '{"deprecated-key-path": "/etc/docker/key.json"}', S)
case(CL, "TestDaemonLegacyOptions", "127.0.0.0/8", '{"allow-nondistributable-artifacts": ["127.0.0.0/8", "10.10.1.11:5000", "10.10.1.22:5000", "registry.example.com", "registry.example.com"]}', S)
for val, verdict in (("", S), ("1", S), ("0x1", S), ("1/2", S), ("0x1/0x2", S), ("010/0xff", S), ("hello/0x2", R_), ("1/hello", R_), ("1+hello", R_), ("1/", R_), ("-1", R_)):
    case(CL, "TestValidateAcceptFwMarkMark", 'val:    "%s"' % val if verdict == R_ else 'val:  "%s"' % val,
         json.dumps({"bridge-accept-fwmark": val}), verdict, note="validateFwMarkMask value written as daemon.json")
# --- daemon/command
case(DT, "TestLoadDaemonCliConfigWithConflicts", "l3=foo", '{"labels": ["l3=foo"]}', R_, ["--label", "l1=bar", "--label", "l2=baz"])
case(DT, "TestLoadDaemonCliWithConflictingNodeGenericResources", "foo=bar", '{"node-generic-resources": ["foo=bar", "bar=baz"]}', R_, ["--node-generic-resource", "r1=bar", "--node-generic-resource", "r2=baz"])
case(DT, "TestLoadDaemonCliWithConflictingLabels", "foo=baz", '{}', R_, ["--label", "foo=bar", "--label", "foo=baz"])
case(DT, "TestLoadDaemonCliWithDuplicateLabels", "the-same", '{}', S, ["--label", "foo=the-same", "--label", "foo=the-same"])
case(DT, "TestLoadDaemonCliConfigWithTLSVerify", "tlsverify", '{"tlsverify": true}', S)
case(DT, "TestLoadDaemonCliConfigWithExplicitTLSVerifyFalse", "tlsverify", '{"tlsverify": false}', S)
case(DT, "TestLoadDaemonCliConfigWithoutTLSVerify", "{}", '{}', S)
case(DT, "TestLoadDaemonCliConfigWithLogLevel", "warn", '{"log-level": "warn"}', S)
case(DT, "TestLoadDaemonCliConfigWithLogFormat", "json", '{"log-format": "json"}', S)
case(DT, "TestLoadDaemonCliConfigWithInvalidLogFormat", "foo", '{"log-format": "foo"}', R_)
case(DT, "TestLoadDaemonConfigWithEmbeddedOptions", "syslog", '{"tlscacert": "/etc/certs/ca.pem", "log-driver": "syslog"}', S)
case(DT, "TestLoadDaemonConfigWithRegistryOptions", "registry-mirrors", '{"registry-mirrors": ["https://mirrors.example.com"], "insecure-registries": ["https://insecure-registry.example.com"]}', S)
case(DT, "TestCDISpecDirs", "CDI enabled by default", '', S)
case(DT, "TestCDISpecDirs", "no spec dirs specified returns default", '{"features": {"cdi": true}}', S)
case(DT, "TestCDISpecDirs", "specified spec dirs are returned", '{"features": {"cdi": true}}', S, ["--cdi-spec-dir", "/foo/bar", "--cdi-spec-dir", "/baz/qux"])
case(DT, "TestCDISpecDirs", '"cdi-spec-dirs": []', '{"cdi-spec-dirs": [], "features": {"cdi": true}}', S)
case(DT, "TestCDISpecDirs", '"CDI disabled and no spec dirs', '{"features": {"cdi": false}}', S)
case(DT, "TestCDISpecDirs", '"CDI disabled and specified', '{"features": {"cdi": false}}', S, ["--cdi-spec-dir", "/foo/bar", "--cdi-spec-dir", "/baz/qux"])
case(DU, "TestLoadDaemonCliConfigWithDaemonFlags", "max-size", '{"log-opts": {"max-size": "1k"}}', S, ["--log-driver", "syslog"])
case(DU, "TestLoadDaemonConfigWithNetwork", "bip6", '{"bip": "127.0.0.2/8", "bip6": "fd98:e5f2:e637::1/64", "ip": "127.0.0.1"}', S)
case(DU, "TestLoadDaemonConfigWithMapOptions", "tag", '{"log-opts": {"tag": "test"}}', S)
case(DU, "TestLoadDaemonConfigWithTrueDefaultValues", "userland-proxy", '{ "userland-proxy": false }', S)
case(DU, "TestLoadDaemonConfigWithTrueDefaultValuesLeaveDefaults", "{}", '{}', S)
# --- builder
case(BT, "TestBuilderGC", "builder", '{"builder": {"gc": {"enabled": true, "policy": [{"reservedSpace": "10GB", "filter": ["unused-for=2200h"]}, {"reservedSpace": "50GB", "filter": {"unused-for": {"3300h": true}}}, {"reservedSpace": "100GB", "minFreeSpace": "10GB", "maxUsedSpace": "200GB", "all": true}]}}}', S)
case(BT, "TestBuilderGC_DeprecatedKeepStorage", "builder", '{"builder": {"gc": {"enabled": true, "policy": [{"keepStorage": "10GB", "filter": ["unused-for=2200h"]}, {"keepStorage": "50GB", "filter": {"unused-for": {"3300h": true}}}, {"keepStorage": "100GB", "all": true}]}}}', S)
for doc, text in (("empty config", ""), ("empty json", "{}"), ("empty builder", '{"builder": {}}'), ("empty gc", '{"builder": {"gc": {}}}'),
                  ("gc enabled", '{"builder": {"gc": {"enabled": true}}}'), ("gc disabled", '{"builder": {"gc": {"enabled": false}}}'),
                  ("gc with policy", '{"builder": {"gc": {"policy": []}}}')):
    case(BT, "TestBuilderGC_Enabled", '"%s"' % doc, text, S)
# --- registry
for url in ("http://mirror-1.example.com", "http://mirror-1.example.com/", "https://mirror-1.example.com", "https://mirror-1.example.com/",
            "http://localhost", "https://localhost", "http://localhost:5000", "https://localhost:5000", "http://127.0.0.1", "https://127.0.0.1",
            "http://127.0.0.1:5000", "https://127.0.0.1:5000", "http://mirror-1.example.com/v1/", "https://mirror-1.example.com/v1/"):
    case(RG, "TestValidateMirror", 'input:  "%s"' % url, json.dumps({"registry-mirrors": [url]}), S, note="ValidateMirror input as daemon.json")
for url in ("!invalid!://%as%", "mirror-1.example.com", "mirror-1.example.com:5000", "ftp://mirror-1.example.com",
            "http://mirror-1.example.com/?q=foo", "http://mirror-1.example.com/v1/?q=foo", "http://mirror-1.example.com/v1/?q=foo#frag",
            "http://mirror-1.example.com?q=foo", "https://mirror-1.example.com#frag", "https://mirror-1.example.com/#frag",
            "http://foo:bar@mirror-1.example.com/", "https://mirror-1.example.com/v1/#frag", "https://mirror-1.example.com?q"):
    case(RG, "TestValidateMirror", 'input:       "%s"' % url, json.dumps({"registry-mirrors": [url]}), R_, note="ValidateMirror input as daemon.json")
for reg, verdict in (("127.0.0.1", S), ("127.0.0.1:8080", S), ("2001:db8::1", S), ("[2001:db8::1]:80", S), ("http://myregistry.example.com", S),
                     ("https://myregistry.example.com", S), ("HTTP://myregistry.example.com", S), ("svn://myregistry.example.com", R_),
                     ("-invalid-registry", R_), ("mytest-.com", R_), ("1200:0000:AB00:1234:0000:2552:7777:1313:8080", R_),
                     ("myregistry.example.com:500000", R_), ('"myregistry.example.com"', R_), ('"myregistry.example.com:5000"', R_)):
    needle = ('"%s"' % reg) if not reg.startswith('"') else "`%s`" % reg
    if reg in ("mytest-.com", "1200:0000:AB00:1234:0000:2552:7777:1313:8080", "myregistry.example.com:500000"):
        needle = "`%s`" % reg
    case(RG, "TestLoadInsecureRegistries", needle, json.dumps({"insecure-registries": [reg]}), verdict, note="loadInsecureRegistries input as daemon.json")
case(RG, "TestNewServiceConfig", '"example.com:5000"', '{"registry-mirrors": ["example.com:5000"]}', R_)
case(RG, "TestNewServiceConfig", '"https://example.com:5000"', '{"registry-mirrors": ["https://example.com:5000"]}', S)
case(RG, "TestNewServiceConfig", '[fe80::]/64', '{"insecure-registries": ["[fe80::]/64"]}', R_)
case(RG, "TestNewServiceConfig", '102.10.8.1/24', '{"insecure-registries": ["102.10.8.1/24"]}', S)
# --- runtimes
for name, text, verdict in (
        ("Empty", '{"runtimes": {"myruntime": {}}}', R_),
        ("ArgsOnly", '{"runtimes": {"myruntime": {"runtimeArgs": ["foo", "bar"]}}}', R_),
        ("OptionsOnly", '{"runtimes": {"myruntime": {"options": {"hello": "world"}}}}', R_),
        ("PathAndType", '{"runtimes": {"myruntime": {"path": "/bin/true", "runtimeType": "io.containerd.runsc.v1"}}}', R_),
        ("PathAndOptions", '{"runtimes": {"myruntime": {"path": "/bin/true", "options": {"a": "b"}}}}', R_),
        ("TypeAndArgs", '{"runtimes": {"myruntime": {"runtimeType": "io.containerd.runsc.v1", "runtimeArgs": ["--version"]}}}', R_),
        ("PathArgsOptions", '{"runtimes": {"myruntime": {"path": "/bin/true", "runtimeArgs": ["--version"], "options": {"hmm": 3}}}}', R_),
        ("TypeOptionsArgs", '{"runtimes": {"myruntime": {"runtimeType": "io.containerd.kata.v2", "options": {"a": "b"}, "runtimeArgs": ["--help"]}}}', R_),
        ("PathArgsTypeOptions", '{"runtimes": {"myruntime": {"path": "/bin/true", "runtimeArgs": ["foo"], "runtimeType": "io.containerd.runsc.v1", "options": {"a": "b"}}}}', R_),
        ("CannotOverrideStockRuntime", '{"runtimes": {"runc": {}}}', R_),
        ("SetStockRuntimeAsDefault", '{"default-runtime": "runc"}', S),
        ("SetLinuxRuntimeAsDefault", '{"default-runtime": "io.containerd.runc.v2"}', S),
        ("CannotSetBogusRuntimeAsDefault", '{"default-runtime": "notdefined"}', R_),
        ("SetDefinedRuntimeAsDefault", '{"runtimes": {"some-runtime": {"path": "/usr/local/bin/file-not-found"}}, "default-runtime": "some-runtime"}', S)):
    case(RT, "TestSetupRuntimes", '"%s"' % name, text, verdict, note="config.Config in the test, written as daemon.json")
case(RT, "TestGetRuntime", "cfg.Runtimes = ", '{"runtimes": {"myconfiguredruntime": {"path": "/bin/true"}, "myruntimewithargs": {"path": "/bin/false", "runtimeArgs": ["--version"]}, "myshimwithopts": {"runtimeType": "io.containerd.runc.v2", "options": {"IoUid": 42}}, "myshimalias": {"runtimeType": "io.containerd.wasmedge.v1"}, "shimwithpath": {"runtimeType": "/path/to/my/shim"}, "gvisor": {"runtimeType": "io.containerd.runsc.v1", "options": {"TypeUrl": "io.containerd.runsc.v1.options", "ConfigPath": "/path/to/runsc.toml"}}}}', S)
# --- integration
for name, text, verdict in (("config with no content", "", S), ("config with {}", "{}\n", S), ("invalid config", '{"unknown-option": true}\n', R_),
                            ("malformed config", "{\n", R_), ("valid config", '{"debug": true}\n', S)):
    case(IT, "TestDaemonConfigValidation", '"%s"' % name, text, verdict, note="integration/daemon/testdata file")
PX = '{"proxies":{"http-proxy":"http://127.0.0.1:3128", "https-proxy": "http://127.0.0.1:3128", "no-proxy": "example.com"}}'
case(IT, "TestDaemonProxy", "configJSON := fmt.Sprintf", PX, S, note="proxy URL of the test server filled in")
case(IT, "TestDaemonProxy", "StartWithError", PX.replace("http://127.0.0.1:3128", "http://myuser:mypassword@127.0.0.1:3128"), R_,
     ["--http-proxy", "http://myuser:mypassword@127.0.0.1:3128", "--https-proxy", "http://myuser:mypassword@127.0.0.1:3128", "--no-proxy", "example.com"])
json.dump(CASES, sys.stdout, indent=1, ensure_ascii=False)
print(file=sys.stderr)
print(len(CASES), "cases", sum(c["verdict"] == "refuse" for c in CASES), "refuse", file=sys.stderr)
