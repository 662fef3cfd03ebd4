"""python -m dldoctor"""
from dldoctor.main import main

main()
