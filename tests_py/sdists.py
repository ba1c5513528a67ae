"""MicroPython client libraries from the Python package index, as pinned sdists (not committed):
each is downloaded once into build/sdists through pip's own index URL, checked against its
sha256, and unpacked there."""
import io
import os
import re
import tarfile
import urllib.parse
import urllib.request

try:
    from pip._internal.models.index import PyPI

    INDEX = os.environ.get("PIP_INDEX_URL", PyPI.simple_url)
except ImportError:  # pragma: no cover
    INDEX = os.environ.get("PIP_INDEX_URL", "")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "build", "sdists")

PINNED = {
    ("micropython-umqtt.simple", "1.3.4"): "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f",
    ("micropython-urequests", "0.9.1"): "15ed0132bcff1a84e87049d9d7780ce26df0810fa674aa89d187e17493d6e3c5",
}


def _download(project, version):
    page = urllib.request.urlopen(f"{INDEX.rstrip('/')}/{project}/", timeout=30).read().decode()
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', page)]
    wanted = [link for link in links if re.search(rf"-{re.escape(version)}\.tar\.gz(#|$)", link)]
    if not wanted:
        raise RuntimeError(f"no sdist for {project}=={version} in the index")
    return urllib.request.urlopen(urllib.parse.urljoin(f"{INDEX.rstrip('/')}/{project}/", wanted[0]),
                                  timeout=60).read()


def _safe_members(tar, dest):
    """Regular files and directories that unpack inside dest (what Python 3.12's data filter
    allows; Debian's 3.11.2 has no filters)."""
    root = os.path.realpath(dest)
    for m in tar.getmembers():
        target = os.path.realpath(os.path.join(dest, m.name))
        if (m.isfile() or m.isdir()) and os.path.commonpath([root, target]) == root:
            yield m


def fetch_sdist(project, version, dest=None):
    """Returns the unpacked directory of project==version (dest is accepted for old callers)."""
    import hashlib
    expected = PINNED[(project, version)]
    os.makedirs(CACHE, exist_ok=True)
    archive = os.path.join(CACHE, f"{project}-{version}.tar.gz")
    if not os.path.exists(archive):
        data = _download(project, version)
        if hashlib.sha256(data).hexdigest() != expected:
            raise RuntimeError(f"{project}=={version}: sha256 mismatch")
        with open(archive + ".tmp", "wb") as f:
            f.write(data)
        os.replace(archive + ".tmp", archive)
    data = open(archive, "rb").read()
    if hashlib.sha256(data).hexdigest() != expected:
        raise RuntimeError(f"{archive}: sha256 mismatch (delete it to download again)")
    unpacked = os.path.join(CACHE, f"{project}-{version}")
    if not os.path.isdir(unpacked):
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(unpacked + ".tmp", members=list(_safe_members(tar, unpacked + ".tmp")))
        os.replace(unpacked + ".tmp", unpacked)
    for name in os.listdir(unpacked):
        path = os.path.join(unpacked, name)
        if os.path.isdir(path):
            return path
    raise RuntimeError(f"sdist of {project} did not unpack as expected")
