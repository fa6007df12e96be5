#!/usr/bin/python3
"""The flow an AgentFense Python user runs, over sandbox.v1 gRPC with Debian's grpcio.

Usage: sandbox_v1_client_test.py HOST:PORT

Stubs are generated at run time from proto/sandbox/v1 (plus our own google/api copies in
tests/python/protos) with protoc and Debian's grpc_python_plugin into a temporary directory;
nothing generated is kept. Exits 0 when every step checks out, 1 (with the reason) otherwise.
"""

import glob
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROTO_ROOT = os.path.join(ROOT, "proto")
GOOGLE_API_ROOT = os.path.join(HERE, "protos")
WELL_KNOWN_ROOT = "/usr/include"  # google/protobuf/*.proto from Debian's libprotobuf-dev
GRPC_PLUGIN = os.environ.get("GRPC_PYTHON_PLUGIN", "/usr/bin/grpc_python_plugin")
CHUNK = 64 * 1024


def generate_stubs(out_dir):
    protos = sorted(glob.glob(os.path.join(PROTO_ROOT, "sandbox", "v1", "*.proto")))
    protos += sorted(glob.glob(os.path.join(GOOGLE_API_ROOT, "google", "api", "*.proto")))
    command = [
        "protoc",
        "-I", PROTO_ROOT,
        "-I", GOOGLE_API_ROOT,
        "-I", WELL_KNOWN_ROOT,
        "--plugin=protoc-gen-grpc_python=" + GRPC_PLUGIN,
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
    ] + protos
    subprocess.run(command, check=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def upload(codebases, pb, codebase_id, path, content):
    """One UploadFiles stream per file: a metadata chunk, then 64 KiB data chunks."""
    def chunks():
        yield pb.UploadChunk(metadata=pb.UploadChunk.Metadata(
            codebase_id=codebase_id, file_path=path, total_size=len(content)))
        for offset in range(0, len(content), CHUNK):
            yield pb.UploadChunk(data=content[offset:offset + CHUNK])
    result = codebases.UploadFiles(chunks(), timeout=30)
    check(result.file_path == path, "upload %s: file_path %r" % (path, result.file_path))
    check(result.size == len(content), "upload %s: size %d, sent %d" % (path, result.size, len(content)))
    return result


def upload_archive(codebases, pb, codebase_id, under, files):
    """One UploadArchive stream: metadata, then a gzip tar (Python's tarfile) in 64 KiB chunks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, (content, mode) in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(content)
            info.mode = mode
            tar.addfile(info, io.BytesIO(content))
    data = buffer.getvalue()

    def chunks():
        yield pb.ArchiveChunk(metadata=pb.ArchiveChunk.Metadata(codebase_id=codebase_id, path=under))
        for offset in range(0, len(data), CHUNK):
            yield pb.ArchiveChunk(data=data[offset:offset + CHUNK])
    result = codebases.UploadArchive(chunks(), timeout=30)
    for entry in result.files:
        content = files[entry.file_path[len(under) + 1:]][0]
        check(entry.checksum == hashlib.sha256(content).hexdigest(), "archive checksum of %s" % entry.file_path)
    check(len(result.files) == len(files), "archive unpacked %d files, sent %d" % (len(result.files), len(files)))


def run_flow(target):
    import grpc
    from sandbox.v1 import codebase_pb2, codebase_pb2_grpc, common_pb2, sandbox_pb2, sandbox_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        codebases = codebase_pb2_grpc.CodebaseServiceStub(channel)
        sandboxes = sandbox_pb2_grpc.SandboxServiceStub(channel)

        codebase = codebases.CreateCodebase(codebase_pb2.CreateCodebaseRequest(name="python-demo"), timeout=30)
        check(codebase.id, "CreateCodebase returned no id")
        print("codebase", codebase.id)

        big = bytes((i * 7) % 251 for i in range(200 * 1024))  # several 64 KiB chunks
        files = {
            "README.md": b"# python demo\n",
            "src/main.py": b"print('hello from the box')\n",
            "data/blob.bin": big,
            "secrets/token.txt": b"top-secret-value\n",
        }
        for path, content in files.items():
            upload(codebases, codebase_pb2, codebase.id, path, content)
        archived = {
            "lib/tool.sh": (b"#!/bin/sh\necho tool ran\n", 0o755),
            "lib/notes.txt": (b"notes\n", 0o644),
        }
        upload_archive(codebases, codebase_pb2, codebase.id, "vendor", archived)
        got = codebases.GetCodebase(codebase_pb2.GetCodebaseRequest(codebase_id=codebase.id), timeout=30)
        total = len(files) + len(archived)
        check(got.file_count == total, "file_count %d, uploaded %d" % (got.file_count, total))

        request = sandbox_pb2.CreateSandboxRequest(
            codebase_id=codebase.id,
            runtime=sandbox_pb2.RUNTIME_TYPE_BWRAP,
            permissions=[
                common_pb2.PermissionRule(pattern="**", permission=common_pb2.PERMISSION_WRITE),
                common_pb2.PermissionRule(pattern="/secrets/**", permission=common_pb2.PERMISSION_NONE, priority=10),
            ],
            labels={"client": "python"},
        )
        sandbox = sandboxes.CreateSandbox(request, timeout=30)
        print("sandbox", sandbox.id)
        destroyed = False
        try:
            check(len(sandbox.permissions) == 2, "sandbox has %d rules" % len(sandbox.permissions))
            started = sandboxes.StartSandbox(sandbox_pb2.StartSandboxRequest(sandbox_id=sandbox.id), timeout=60)
            check(started.status == sandbox_pb2.SANDBOX_STATUS_RUNNING, "status after start: %d" % started.status)

            hello = sandboxes.Exec(sandbox_pb2.ExecRequest(
                sandbox_id=sandbox.id, command="cat README.md; sha256sum data/blob.bin | cut -c1-64; exit 3"), timeout=60)
            expected = "# python demo\n" + hashlib.sha256(big).hexdigest() + "\n"
            check(hello.stdout == expected, "exec stdout %r, expected %r" % (hello.stdout, expected))
            check(hello.exit_code == 3, "exec exit code %d" % hello.exit_code)

            tool = sandboxes.Exec(sandbox_pb2.ExecRequest(sandbox_id=sandbox.id, command="./vendor/lib/tool.sh"), timeout=60)
            check(tool.stdout == "tool ran\n", "archived script: exit %d, stdout %r, stderr %r" % (tool.exit_code, tool.stdout, tool.stderr))

            hidden = sandboxes.Exec(sandbox_pb2.ExecRequest(
                sandbox_id=sandbox.id, command="cat secrets/token.txt"), timeout=60)
            check(hidden.exit_code != 0, "hidden file was readable (exit 0)")
            check("top-secret" not in hidden.stdout, "hidden file content leaked: %r" % hidden.stdout)

            session = sandboxes.CreateSession(sandbox_pb2.CreateSessionRequest(sandbox_id=sandbox.id), timeout=60)
            first = sandboxes.SessionExec(sandbox_pb2.SessionExecRequest(
                session_id=session.id, command="cd src && export GREETING=hi"), timeout=60)
            check(first.exit_code == 0, "session cd: exit %d, stderr %r" % (first.exit_code, first.stderr))
            second = sandboxes.SessionExec(sandbox_pb2.SessionExecRequest(
                session_id=session.id, command="pwd; echo $GREETING; ls"), timeout=60)
            check(second.exit_code == 0, "session pwd: exit %d" % second.exit_code)
            check(second.stdout == "/workspace/src\nhi\nmain.py\n", "session stdout %r" % second.stdout)
            sandboxes.DestroySession(sandbox_pb2.DestroySessionRequest(session_id=session.id), timeout=30)

            sandboxes.DestroySandbox(sandbox_pb2.DestroySandboxRequest(sandbox_id=sandbox.id), timeout=60)
            destroyed = True
            try:
                sandboxes.GetSandbox(sandbox_pb2.GetSandboxRequest(sandbox_id=sandbox.id), timeout=30)
                check(False, "GetSandbox after destroy succeeded")
            except grpc.RpcError as e:
                check(e.code() == grpc.StatusCode.NOT_FOUND, "GetSandbox after destroy: %s" % e.code())
        finally:
            if not destroyed:
                try:
                    sandboxes.DestroySandbox(sandbox_pb2.DestroySandboxRequest(sandbox_id=sandbox.id), timeout=60)
                except grpc.RpcError as e:
                    print("cleanup: DestroySandbox failed:", e, file=sys.stderr)

        codebases.DeleteCodebase(codebase_pb2.DeleteCodebaseRequest(codebase_id=codebase.id), timeout=30)
        try:
            codebases.GetCodebase(codebase_pb2.GetCodebaseRequest(codebase_id=codebase.id), timeout=30)
            check(False, "GetCodebase after delete succeeded")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.NOT_FOUND, "GetCodebase after delete: %s" % e.code())


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = tempfile.mkdtemp(prefix="agentfense-pystubs-")
    try:
        generate_stubs(out_dir)
        sys.path.insert(0, out_dir)
        run_flow(argv[1])
    except AssertionError as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
