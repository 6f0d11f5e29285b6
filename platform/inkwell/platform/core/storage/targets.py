"""The two kinds of store, a local folder and an S3 bucket (or an S3-compatible
store), behind one protocol.

A target is opened for one blog's area (see `storage.open_area`) and only ever
takes keys relative to that root; a key that could leave it (absolute, with
`..` or empty parts) is refused before any request, so no publish can write or
delete outside its own blog. Failures of the store raise `StorageError`, so
callers need not know botocore (nor import it: boto3 loads on first S3 use).
"""

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

S3_DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
_MISSING = ("NoSuchKey", "404")  # GetObject's codes for a key that is not there


class StorageError(OSError):
    """The store could not be reached or refused a request."""


class Target(Protocol):
    description: str

    # `redirect`: the URL an S3 website answers the key with (a 301, the object's
    # `x-amz-website-redirect-location`); a folder keeps only the file, a redirect page.
    def put(
        self, key: str, source: Path, content_type: str, cache_control: str, redirect: str = ""
    ) -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None: ...
    def read(self, key: str) -> bytes: ...  # FileNotFoundError if there is no such key
    def delete(self, keys: list[str]) -> None: ...
    def keys(self) -> Iterator[str]: ...
    def clear(self) -> int: ...  # everything under the root; how many files
    # Every key, with a fingerprint of the bytes it holds for those in `wanted`
    # (others may be ""), and the fingerprint of `data` as this kind of target
    # computes it: what a full publish compares.
    def fingerprints(self, wanted: set[str]) -> dict[str, str]: ...
    def fingerprint(self, data: bytes) -> str: ...


def _clear(target: Target) -> int:
    """Delete every key a target lists (the part both kinds share)."""
    keys = list(target.keys())
    target.delete(keys)
    return len(keys)


def checked(key: str) -> str:
    """`key` if it stays inside the target's root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise ValueError(f"refusing key {key!r}: it would leave the blog's prefix")
    return key


class FolderTarget:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)

    def put(
        self, key: str, source: Path, content_type: str, cache_control: str, redirect: str = ""
    ) -> None:
        path = self.root / checked(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Link (or copy) aside, then rename: a reader never sees half a file. Builds
        # go to fresh folders, so a linked file is never written again.
        aside = path.parent / f".publish-{secrets.token_hex(8)}"
        try:
            os.link(source, aside)
        except OSError:  # another file system
            shutil.copyfile(source, aside)
        os.replace(aside, path)

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        path = self.root / checked(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.parent / f".publish-{secrets.token_hex(8)}"  # renamed whole, as in put
        aside.write_bytes(data)
        os.replace(aside, path)

    def read(self, key: str) -> bytes:
        return (self.root / checked(key)).read_bytes()

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            path = self.root / checked(key)
            path.unlink(missing_ok=True)
            for parent in path.parents:  # drop folders the deletes emptied
                if parent == self.root or (parent.is_dir() and any(parent.iterdir())):
                    break
                if parent.is_dir():  # (a key that was never there may have no folder)
                    parent.rmdir()

    def clear(self) -> int:
        count = _clear(self)
        # And the folder itself, with any half-written `.publish-` file a crash left.
        shutil.rmtree(self.root, ignore_errors=True)
        return count

    def fingerprints(self, wanted: set[str]) -> dict[str, str]:
        # Only the wanted files are read: a mirror's images are many and never change.
        return {
            key: self.fingerprint((self.root / key).read_bytes()) if key in wanted else ""
            for key in self.keys()
        }

    def fingerprint(self, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file() and not path.name.startswith(".publish-"):
                    yield path.relative_to(self.root).as_posix()


class S3Target:
    def __init__(self, config: dict[str, Any], bucket: str, prefix: str) -> None:
        # Imported here: boto3 costs every `inkwell` command a tenth of a second
        # at start-up, and only S3 mirrors need it.
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket, self.prefix = bucket, prefix
        self.description = f"s3://{bucket}/{prefix}"
        retries = {"max_attempts": config["MIRROR_S3_ATTEMPTS"], "mode": "standard"}
        self.client = boto3.client(
            "s3",
            endpoint_url=config["MIRROR_ENDPOINT_URL"] or None,
            config=BotoConfig(
                retries=retries,  # type: ignore[typeddict-item]
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=config["MIRROR_UPLOAD_THREADS"],
            ),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{checked(key)}"

    def put(
        self, key: str, source: Path, content_type: str, cache_control: str, redirect: str = ""
    ) -> None:
        self.put_bytes(key, source.read_bytes(), content_type, cache_control, redirect)

    def put_bytes(
        self, key: str, data: bytes, content_type: str, cache_control: str, redirect: str = ""
    ) -> None:
        where = {"WebsiteRedirectLocation": redirect} if redirect else {}
        with _s3_errors():
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                CacheControl=cache_control,
                **where,
            )

    def read(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            with _s3_errors():
                answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
                return answer["Body"].read()
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and cause.response["Error"]["Code"] in _MISSING:
                raise FileNotFoundError(key) from error
            raise

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), S3_DELETE_BATCH):
            batch = [{"Key": self._key(k)} for k in keys[start : start + S3_DELETE_BATCH]]
            with _s3_errors():
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if errors := answer.get("Errors"):
                first = errors[0]
                raise StorageError(f"S3 refused to delete {first['Key']}: {first.get('Message')}")

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2")
        with _s3_errors():
            for page in pages.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/"):
                for item in page.get("Contents", []):
                    yield item["Key"].removeprefix(f"{self.prefix}/")

    def clear(self) -> int:
        return _clear(self)

    def fingerprints(self, wanted: set[str]) -> dict[str, str]:
        # Every key's, from the listing, no download: a single-part upload's is the MD5 of its
        # bytes; any other (multipart, SSE-KMS) matches no build, so it uploads again.
        found = {}
        pages = self.client.get_paginator("list_objects_v2")
        with _s3_errors():
            for page in pages.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/"):
                for item in page.get("Contents", []):
                    key = item["Key"].removeprefix(f"{self.prefix}/")
                    found[key] = item.get("ETag", "").strip('"')
        return found

    def fingerprint(self, data: bytes) -> str:
        return hashlib.md5(data, usedforsecurity=False).hexdigest()


@contextmanager
def _s3_errors() -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise StorageError(str(error)) from error
