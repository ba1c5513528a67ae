# Frozen into firmware images: ssl, the wrapper MicroPython programs import, over our tls module.
module("ssl.py")
