# The reference image: mainline's own ssl.py (micropython-lib) over its mbedTLS tls module.
require("ssl")
