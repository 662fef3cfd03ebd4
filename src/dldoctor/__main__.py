"""python -m dldoctor"""
from dldoctor.cli import main

main()
