using System.Text.Json;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>Assertions and small fixtures shared by the tests of the sandbox fields, limits, batches and recovery.</summary>
internal static class ApiAssert
{
    private static CancellationToken Token => ServerHarness.Token;

    /// <summary>The call fails with <paramref name="code"/> and ErrorInfo <paramref name="reason"/>; returns the error.</summary>
    public static async Task<RpcException> StatusAsync(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        Assert.Equal(reason, Services.ApiErrors.ReasonOf(e));
        return e;
    }

    /// <summary>A REST error body (google.rpc.Status) with <paramref name="code"/> and one ErrorInfo of <paramref name="reason"/>.</summary>
    public static void RestError(JsonElement body, StatusCode code, string reason)
    {
        Assert.Equal((int)code, body.GetProperty("code").GetInt32());
        Assert.Equal(reason, Assert.Single(body.GetProperty("details").EnumerateArray()).GetProperty("reason").GetString());
    }

    /// <summary>Skips (or under CI fails) unless real boxes can run: bwrap and FUSE as root.</summary>
    public static void RequireBoxes()
    {
        Requires.Bwrap();
        Requires.Fuse();
    }

    /// <summary>A codebase with one README.md.</summary>
    public static async Task<string> CodebaseAsync(ServerHarness harness, Metadata? headers = null)
    {
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "fields" }, headers, cancellationToken: Token);
        if (headers is null)
            await harness.UploadAsync(codebase.Id, "README.md", "# fields\n"u8.ToArray());
        return codebase.Id;
    }

    /// <summary>A create request whose rules let the agent write everywhere.</summary>
    public static CreateSandboxRequest Writable(string codebaseId)
    {
        var request = new CreateSandboxRequest { CodebaseId = codebaseId, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        return request;
    }

    /// <summary>Destroys every sandbox the harness still lists (cleanup that also runs when a test failed).</summary>
    public static async Task DestroyAllAsync(ServerHarness harness, Metadata? headers = null)
    {
        var listed = await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { PageSize = 1000 }, headers, cancellationToken: CancellationToken.None);
        foreach (var sandbox in listed.Sandboxes)
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = sandbox.Id }, headers, cancellationToken: CancellationToken.None);
    }
}
