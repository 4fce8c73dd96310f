"""extract/builtin"""
