# MicroPython, after prelude.py: one verified client connection that may resume `ses` and saves
# the session it ends with (helpers.SESSIONS). `{ca}` is the CA file, a literal run_mpy fills in.
CA = {ca}
def once(port, ses=None, host='localhost', ca=None, request=b'ping', save=True):
    s = connect(port, cert_reqs=ussl.CERT_REQUIRED, ca_certs=ca or CA, server_hostname=host, saved_session=ses)
    s.write(request)
    s.read(len(request))
    new = ussl.save_session(s) if save else None
    reused = s.session_reused
    s.close()
    return new, reused
