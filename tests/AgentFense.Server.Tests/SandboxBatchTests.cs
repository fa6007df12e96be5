using System.Net;
using AgentFense.Api.V1;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>BatchCreateSandboxes, BatchStartSandboxes, BatchDestroySandboxes: every item attempted, each result its sandbox or its error.</summary>
public sealed class SandboxBatchTests
{
    private const string KeyA = "key-of-alice-0123456789";
    private const string KeyB = "key-of-bob-9876543210";

    private static readonly Dictionary<string, string> Keys = new() { [KeyA] = "alice", [KeyB] = "bob" };

    private static CancellationToken Token => ServerHarness.Token;

    private static Metadata As(string key) => new() { { "authorization", $"Bearer {key}" } };

    [Fact]
    public async Task BatchCreate_EveryItemAttempted_ErrorsInPlace_WithTheSingleCallsCodesAndReasons()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { MaxSandboxesPerOwner = 3 });
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var negative = ApiAssert.Writable(codebaseId);
        negative.TmpSizeBytes = -1;
        var badRule = new CreateSandboxRequest { CodebaseId = codebaseId };
        badRule.Permissions.Add(new PermissionRule { Pattern = "**" });
        var labelled = ApiAssert.Writable(codebaseId);
        labelled.Labels.Add("batch", "1");
        var request = new BatchCreateSandboxesRequest();
        request.Requests.Add([
            labelled,
            new CreateSandboxRequest { CodebaseId = "cb_0000000000000000" },
            negative,
            badRule,
            ApiAssert.Writable(codebaseId),
            ApiAssert.Writable(codebaseId),
            ApiAssert.Writable(codebaseId),
        ]);
        var results = (await harness.Sandboxes.BatchCreateSandboxesAsync(request, cancellationToken: Token)).Results;
        Assert.Equal(7, results.Count);
        AssertCreated(results[0]);
        Assert.Equal("1", results[0].Sandbox.Labels["batch"]);
        AssertError(results[1], StatusCode.NotFound, "CODEBASE_NOT_FOUND");
        AssertError(results[2], StatusCode.InvalidArgument, "INVALID_ARGUMENT");
        Assert.Contains("tmp_size_bytes", results[2].ErrorMessage, StringComparison.Ordinal);
        AssertError(results[3], StatusCode.InvalidArgument, "INVALID_RULE");
        AssertCreated(results[4]);
        AssertCreated(results[5]);
        // The per-owner limit applies per item: the third created sandbox was the last one allowed.
        AssertError(results[6], StatusCode.ResourceExhausted, "SANDBOX_LIMIT_REACHED");

        var listed = (await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes.Select(s => s.Id).ToHashSet();
        Assert.Equal(new[] { results[0], results[4], results[5] }.Select(r => r.SandboxId).ToHashSet(), listed);
        Assert.Equal(results[0].Sandbox, await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = results[0].SandboxId }, cancellationToken: Token));
    }

    [Fact]
    public async Task BatchDestroyAndStart_OwnerIsolationPerItem_UnknownIdsAreNotFound()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys);
        var alice = await ApiAssert.CodebaseAsync(harness, As(KeyA));
        var bob = await ApiAssert.CodebaseAsync(harness, As(KeyB));
        var aliceSandbox = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token);
        var bobSandbox = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(bob), As(KeyB), cancellationToken: Token);

        var ids = new BatchSandboxIdsRequest { SandboxIds = { aliceSandbox.Id, bobSandbox.Id, "sb_0000000000000000" } };
        // Bob cannot start alice's sandbox; starting his own fails for want of a box (the placeholder init), as StartSandbox would.
        var started = (await harness.Sandboxes.BatchStartSandboxesAsync(ids, As(KeyB), cancellationToken: Token)).Results;
        AssertError(started[0], StatusCode.NotFound, "SANDBOX_NOT_FOUND");
        Assert.Equal(aliceSandbox.Id, started[0].SandboxId);
        var single = await Assert.ThrowsAsync<RpcException>(
            () => harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = bobSandbox.Id }, As(KeyB), cancellationToken: Token).ResponseAsync);
        AssertError(started[1], single.StatusCode, Services.ApiErrors.ReasonOf(single)!);
        AssertError(started[2], StatusCode.NotFound, "SANDBOX_NOT_FOUND");

        var destroyed = (await harness.Sandboxes.BatchDestroySandboxesAsync(ids, As(KeyB), cancellationToken: Token)).Results;
        Assert.Equal(3, destroyed.Count);
        AssertError(destroyed[0], StatusCode.NotFound, "SANDBOX_NOT_FOUND");
        Assert.Equal((bobSandbox.Id, 0), (destroyed[1].SandboxId, destroyed[1].ErrorCode));
        Assert.Equal(bobSandbox.Id, destroyed[1].Sandbox.Id);
        AssertError(destroyed[2], StatusCode.NotFound, "SANDBOX_NOT_FOUND");

        // Alice's sandbox is untouched; bob's is gone.
        Assert.Equal(aliceSandbox.Id, (await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = aliceSandbox.Id }, As(KeyA), cancellationToken: Token)).Id);
        Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), As(KeyB), cancellationToken: Token)).Sandboxes);
    }

    [Fact]
    public async Task BatchCreateWithStart_StartFails_ResultKeepsTheCreatedSandboxBesideTheError()
    {
        // The placeholder init cannot run a box: every start fails, after the create succeeded.
        await using var harness = await ServerHarness.StartAsync();
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var request = new BatchCreateSandboxesRequest { Start = true, Requests = { ApiAssert.Writable(codebaseId) } };
        var result = Assert.Single((await harness.Sandboxes.BatchCreateSandboxesAsync(request, cancellationToken: Token)).Results);
        Assert.NotEqual(0, result.ErrorCode);
        Assert.NotEmpty(result.ErrorReason);
        Assert.Equal(result.SandboxId, result.Sandbox.Id);
        Assert.Equal(SandboxStatus.Pending, result.Sandbox.Status);
        Assert.Equal(result.SandboxId, Assert.Single((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes).Id);
    }

    [Fact]
    public async Task Batch_TooManyItems_InvalidArgument()
    {
        await using var harness = await ServerHarness.StartAsync();
        var ids = new BatchSandboxIdsRequest();
        ids.SandboxIds.Add(Enumerable.Range(0, 1001).Select(i => $"sb_{i:x16}"));
        await ApiAssert.StatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT",
            () => harness.Sandboxes.BatchDestroySandboxesAsync(ids, cancellationToken: Token).ResponseAsync);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task BatchCreateWithStart_AllRunning_ThenBatchStartAndDestroy_OverGrpcAndRest()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var codebaseId = await ApiAssert.CodebaseAsync(harness);
            var request = new BatchCreateSandboxesRequest { Start = true };
            for (var i = 0; i < 4; i++)
                request.Requests.Add(ApiAssert.Writable(codebaseId));
            var results = (await harness.Sandboxes.BatchCreateSandboxesAsync(request, cancellationToken: Token)).Results;
            Assert.All(results, r => Assert.Equal((0, SandboxStatus.Running), (r.ErrorCode, r.Sandbox.Status)));
            foreach (var result in results)
            {
                var echo = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = result.SandboxId, Command = "echo $((6*7))" }, cancellationToken: Token);
                Assert.Equal("42\n", echo.Stdout);
            }

            // Over REST: stop one, batch-start all (running ones come back as they are), check the JSON shape.
            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = results[0].SandboxId }, cancellationToken: Token);
            var ids = results.Select(r => r.SandboxId).Append("sb_0000000000000000").ToArray();
            var (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes:batchStart", new { sandboxIds = ids });
            Assert.Equal(HttpStatusCode.OK, status);
            var items = body.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(5, items.Count);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(ids[i], items[i].GetProperty("sandboxId").GetString());
                Assert.Equal("SANDBOX_STATUS_RUNNING", items[i].GetProperty("sandbox").GetProperty("status").GetString());
                Assert.Equal(0, items[i].GetProperty("errorCode").GetInt32());
            }
            Assert.Equal((5, "SANDBOX_NOT_FOUND"), (items[4].GetProperty("errorCode").GetInt32(), items[4].GetProperty("errorReason").GetString()));
            Assert.Contains("sb_0000000000000000", items[4].GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

            (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes:batchDestroy", new { sandboxIds = ids[..4] });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.All(body.GetProperty("results").EnumerateArray(), item => Assert.Equal(0, item.GetProperty("errorCode").GetInt32()));
            Assert.Empty((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes);
            foreach (var id in ids[..4])
                Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "deltas", id)));

            (status, body) = await harness.SendJsonAsync(HttpMethod.Post, "/v1/sandboxes:batchCreate", new { requests = new[] { new { codebaseId } }, start = false });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("SANDBOX_STATUS_PENDING", Assert.Single(body.GetProperty("results").EnumerateArray()).GetProperty("sandbox").GetProperty("status").GetString());
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    private static void AssertCreated(BatchSandboxResult result)
    {
        Assert.Equal((0, "", ""), (result.ErrorCode, result.ErrorMessage, result.ErrorReason));
        Assert.Matches("^sb_[0-9a-f]{16}$", result.SandboxId);
        Assert.Equal(result.SandboxId, result.Sandbox.Id);
        Assert.Equal(SandboxStatus.Pending, result.Sandbox.Status);
    }

    private static void AssertError(BatchSandboxResult result, StatusCode code, string reason)
    {
        Assert.Equal(((int)code, reason), (result.ErrorCode, result.ErrorReason));
        Assert.NotEmpty(result.ErrorMessage);
        Assert.Null(result.Sandbox);
    }
}
