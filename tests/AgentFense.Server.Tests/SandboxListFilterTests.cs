using System.Net;
using AgentFense.Api.V1;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>ListSandboxes' label selector and status filters, with paging, over gRPC and REST query parameters.</summary>
public sealed class SandboxListFilterTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task LabelSelector_KeyValueAndKeyAlone_AllTermsRequired_PagingOverTheFilteredList()
    {
        await using var harness = await ServerHarness.StartAsync();
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var web = new List<string>();
        for (var i = 0; i < 5; i++)
            web.Add(await CreateAsync(harness, codebaseId, ("app", "web"), ("tier", i % 2 == 0 ? "front" : "back")));
        var db = await CreateAsync(harness, codebaseId, ("app", "db"), ("tier", "back"));
        var bare = await CreateAsync(harness, codebaseId);

        AssertSame(web, await ListIdsAsync(harness, new ListSandboxesRequest { LabelSelector = "app=web" }));
        AssertSame([web[1], web[3], db], await ListIdsAsync(harness, new ListSandboxesRequest { LabelSelector = " tier = back " }));
        AssertSame([web[1], web[3]], await ListIdsAsync(harness, new ListSandboxesRequest { LabelSelector = "app=web,tier=back" }));
        AssertSame([.. web, db], await ListIdsAsync(harness, new ListSandboxesRequest { LabelSelector = "tier" }));
        Assert.Empty(await ListIdsAsync(harness, new ListSandboxesRequest { LabelSelector = "app=web,missing" }));
        AssertSame([.. web, db, bare], await ListIdsAsync(harness, new ListSandboxesRequest()));

        // Pages of 2 over the 5 matches: every match once, in order, and the last page says there is no next.
        var paged = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { LabelSelector = "app=web", PageSize = 2, PageToken = token }, cancellationToken: Token);
            paged.AddRange(page.Sandboxes.Select(s => s.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        Assert.Equal(3, pages);
        Assert.Equal(5, paged.Count);
        AssertSame(web, paged);

        var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes?labelSelector={Uri.EscapeDataString("app=web,tier=front")}&pageSize=2");
        Assert.Equal(HttpStatusCode.OK, status);
        var firstPage = body.GetProperty("sandboxes").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, firstPage.Count);
        Assert.Subset(new HashSet<string> { web[0], web[2], web[4] }, firstPage.ToHashSet());
        Assert.Equal("2", body.GetProperty("nextPageToken").GetString());
        (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes?label_selector={Uri.EscapeDataString("app=db")}");
        Assert.Equal(db, Assert.Single(body.GetProperty("sandboxes").EnumerateArray()).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("app=web,")]
    [InlineData(",app")]
    [InlineData("a,,b")]
    [InlineData("=web")]
    [InlineData("app==web")]
    [InlineData("app=web=x")]
    public async Task LabelSelector_Malformed_InvalidArgument(string selector)
    {
        await using var harness = await ServerHarness.StartAsync();
        var e = await ApiAssert.StatusAsync(StatusCode.InvalidArgument, "INVALID_LABEL_SELECTOR",
            () => harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { LabelSelector = selector }, cancellationToken: Token).ResponseAsync);
        Assert.Contains(selector, e.Status.Detail, StringComparison.Ordinal);
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/sandboxes?labelSelector={Uri.EscapeDataString(selector)}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        ApiAssert.RestError(body, StatusCode.InvalidArgument, "INVALID_LABEL_SELECTOR");
    }

    [Fact]
    public async Task StatusFilter_UnknownNumber_InvalidArgument()
    {
        await using var harness = await ServerHarness.StartAsync();
        await ApiAssert.StatusAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT",
            () => harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest { Status = (SandboxStatus)42 }, cancellationToken: Token).ResponseAsync);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task StatusFilter_OnlyThatStatus_CombinesWithLabels_OverGrpcAndRest()
    {
        ApiAssert.RequireBoxes();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        try
        {
            var codebaseId = await ApiAssert.CodebaseAsync(harness);
            var running = await CreateAsync(harness, codebaseId, ("app", "web"));
            var pending = await CreateAsync(harness, codebaseId, ("app", "web"));
            var stopped = await CreateAsync(harness, codebaseId, ("app", "db"));
            foreach (var id in new[] { running, stopped })
                await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = stopped }, cancellationToken: Token);

            AssertSame([running], await ListIdsAsync(harness, new ListSandboxesRequest { Status = SandboxStatus.Running }));
            AssertSame([pending], await ListIdsAsync(harness, new ListSandboxesRequest { Status = SandboxStatus.Pending }));
            AssertSame([stopped], await ListIdsAsync(harness, new ListSandboxesRequest { Status = SandboxStatus.Stopped }));
            Assert.Empty(await ListIdsAsync(harness, new ListSandboxesRequest { Status = SandboxStatus.Error }));
            Assert.Empty(await ListIdsAsync(harness, new ListSandboxesRequest { Status = SandboxStatus.Stopped, LabelSelector = "app=web" }));

            var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/sandboxes?status=SANDBOX_STATUS_RUNNING&labelSelector=app%3Dweb");
            Assert.Equal(HttpStatusCode.OK, status);
            var only = Assert.Single(body.GetProperty("sandboxes").EnumerateArray());
            Assert.Equal((running, "SANDBOX_STATUS_RUNNING"), (only.GetProperty("id").GetString(), only.GetProperty("status").GetString()));
        }
        finally
        {
            await ApiAssert.DestroyAllAsync(harness);
        }
    }

    private static async Task<string> CreateAsync(ServerHarness harness, string codebaseId, params (string Key, string Value)[] labels)
    {
        var request = ApiAssert.Writable(codebaseId);
        foreach (var (key, value) in labels)
            request.Labels.Add(key, value);
        return (await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token)).Id;
    }

    /// <summary>Same ids, in any order (sandboxes created in the same tick are ordered by id).</summary>
    private static void AssertSame(List<string> expected, List<string> actual) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

    private static async Task<List<string>> ListIdsAsync(ServerHarness harness, ListSandboxesRequest request) =>
        [.. (await harness.Sandboxes.ListSandboxesAsync(request, cancellationToken: Token)).Sandboxes.Select(s => s.Id)];
}
