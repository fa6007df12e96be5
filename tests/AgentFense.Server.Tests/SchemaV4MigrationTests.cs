using AgentFense.Api.V1;
using Microsoft.Data.Sqlite;

namespace AgentFense.Server.Tests;

/// <summary>Schema version 4 (the ERROR status and status reason columns) over a database an older server left.</summary>
public sealed class SchemaV4MigrationTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task SchemaV3Database_MigratesToV4_SandboxesKeepTheirShape()
    {
        await using var harness = await ServerHarness.StartAsync();
        var request = ApiAssert.Writable(await ApiAssert.CodebaseAsync(harness));
        request.Labels.Add("kept", "yes");
        request.TmpSizeBytes = 5 * 1024 * 1024;
        var created = await harness.Sandboxes.CreateSandboxAsync(request, cancellationToken: Token);
        var database = Path.Combine(harness.DataDirectory, "agentfense.db");

        await harness.RestartAsync(null, () => Run(database, """
            ALTER TABLE sandboxes DROP COLUMN in_error;
            ALTER TABLE sandboxes DROP COLUMN status_reason;
            ALTER TABLE codebases DROP COLUMN read_only;
            ALTER TABLE codebases DROP COLUMN host_path;
            PRAGMA user_version = 3;
            """));

        Assert.Equal(created, await harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = created.Id }, cancellationToken: Token));
        Assert.Equal($"{Storage.MetadataStore.SchemaVersion}:0:", Run(database, "SELECT (SELECT user_version FROM pragma_user_version) || ':' || in_error || ':' || status_reason FROM sandboxes"));
    }

    [Fact]
    public async Task NewerSchema_Refused()
    {
        await using var harness = await ServerHarness.StartAsync();
        var database = Path.Combine(harness.DataDirectory, "agentfense.db");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.RestartAsync(null, () => Run(database, "PRAGMA user_version = 99")));
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
    }

    private static string? Run(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }
}
