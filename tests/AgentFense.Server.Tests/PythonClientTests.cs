using System.Diagnostics;
using AgentFense.TestSupport;

namespace AgentFense.Server.Tests;

/// <summary>
/// The Python user's flow (tests/python/sandbox_v1_client_test.py, Debian's grpcio with stubs generated from
/// our protos at run time) against a real server on free loopback ports.
/// </summary>
public sealed class PythonClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task PythonGrpcClient_CodebaseUploadSandboxExecSessionDestroy()
    {
        Requires.Bwrap();
        Requires.Fuse();
        Requires.Program("python3");
        Requires.Program("protoc");
        Requires.Gate(File.Exists("/usr/bin/grpc_python_plugin"), "needs /usr/bin/grpc_python_plugin (apt-get install protobuf-compiler-grpc)");
        // Debian's python3-grpcio lives with Debian's interpreter; a python3 earlier on PATH (pyenv) lacks it.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "tests", "python", "sandbox_v1_client_test.py"));
        start.ArgumentList.Add($"127.0.0.1:{harness.Server.GrpcEndPoint.Port}");
        // grpcio honours proxy variables; the server is on loopback.
        start.Environment["no_proxy"] = start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ServerHarness.Token);
        var stderr = process.StandardError.ReadToEndAsync(ServerHarness.Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ServerHarness.Token);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ServerHarness.Token.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ServerHarness.Token);
            Assert.Fail($"the Python client did not finish within {Timeout}:\n{await stdout}\n{await stderr}");
        }
        var output = $"stdout:\n{await stdout}\nstderr:\n{await stderr}";
        Assert.True(process.ExitCode == 0, $"the Python client exited {process.ExitCode}\n{output}");
        Assert.Contains("OK", await stdout, StringComparison.Ordinal);
    }
}
