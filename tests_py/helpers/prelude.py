# MicroPython: what the client scripts of the suite start with (helpers.PRELUDE).
import socket, ussl
def addr(port):
    return socket.getaddrinfo('127.0.0.1', port)[0][-1]
def connect(port, **kw):
    s = socket.socket()
    s.connect(addr(port))
    return ussl.wrap_socket(s, **kw)
def read_all(s):
    data = b''
    while True:
        d = s.read(1024)
        if not d:
            return data
        data += d
def fails(fn):
    try:
        fn()
    except ussl.SSLError as e:
        return 'SSLError %d %s' % (e.args[0], e.args[1])
    except Exception as e:
        return '%s %s' % (type(e).__name__, e)
    return 'no error'
