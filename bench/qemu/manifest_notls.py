# The baseline image for flash: the qemu port with no TLS and nothing frozen.
