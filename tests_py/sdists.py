"""Fetches MicroPython client libraries as sdists from the Python package index at test time
(they are not committed), the way pip would find them: through pip's own index URL."""
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


def fetch_sdist(project, version, dest):
    """Extracts project==version's sdist under dest; returns the extracted directory."""
    target = os.path.join(dest, f"{project}-{version}")
    if os.path.isdir(target):
        return target
    page = urllib.request.urlopen(f"{INDEX.rstrip('/')}/{project}/", timeout=30).read().decode()
    links = [l.replace("&amp;", "&") for l in re.findall(r'href="([^"]+)"', page)]
    wanted = [l for l in links if re.search(rf"-{re.escape(version)}\.tar\.gz(#|$)", l)]
    if not wanted:
        raise RuntimeError(f"no sdist for {project}=={version} in the index")
    url = urllib.parse.urljoin(f"{INDEX.rstrip('/')}/{project}/", wanted[0])
    data = urllib.request.urlopen(url, timeout=60).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    for name in os.listdir(dest):
        if name.lower().replace("_", "-").replace(".", "-").startswith(project.replace(".", "-")) and version in name:
            return os.path.join(dest, name)
    raise RuntimeError(f"sdist of {project} did not unpack as expected")
