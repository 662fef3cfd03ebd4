"""Remediation steps. Each step plans (pure: facts + options -> Plan); only the executor writes.

Step names are the values of --only/--skip and equal the module names with '_' -> '-'.
"""
