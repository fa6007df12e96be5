using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>A started sandbox over an empty codebase with write access everywhere, for command tests.</summary>
internal static class RunningSandbox
{
    private static CancellationToken Token => ServerHarness.Token;

    /// <summary>Creates and starts the sandbox (as the owner of <paramref name="headers"/>' key, if any); returns its id.</summary>
    public static async Task<string> StartAsync(ServerHarness harness, Metadata? headers = null)
    {
        Requires.Bwrap();
        Requires.Fuse();
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "demo" }, headers, cancellationToken: Token);
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, headers, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, headers, cancellationToken: Token);
        return sandbox.Id;
    }

    /// <summary>Destroys the sandbox; used in finally blocks, so a failure to destroy does not hide the test's own.</summary>
    public static async Task DestroyQuietlyAsync(ServerHarness harness, string id, Metadata? headers = null)
    {
        try
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, headers, cancellationToken: CancellationToken.None);
        }
        catch (RpcException)
        {
        }
    }

    /// <summary>Waits until no process <paramref name="pid"/> exists in the sandbox's box (a kill is asynchronous); false after 5 s.</summary>
    public static async Task<bool> ProcessGoneAsync(ServerHarness harness, string id, int pid)
    {
        var check = await harness.Sandboxes.ExecAsync(new ExecRequest
        {
            SandboxId = id,
            Command = $"for i in $(seq 100); do [ -e /proc/{pid} ] || exit 0; sleep 0.05; done; exit 1",
        }, cancellationToken: Token);
        return check.ExitCode == 0;
    }

    /// <summary>The ErrorInfo reason of a failed call, with its status code.</summary>
    public static async Task AssertErrorAsync(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
    }
}
