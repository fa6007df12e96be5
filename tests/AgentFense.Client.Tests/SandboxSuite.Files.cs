using System.Formats.Tar;
using System.Text;

namespace AgentFense.Client.Tests;

public abstract partial class SandboxSuite<TMode>
{
    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Files_ThroughThePolicyView_ReadWriteListStatDelete()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        Assert.Equal("# demo\n", await sandbox.ReadAllTextAsync("README.md", Token));
        Assert.Equal("print('hello from app')\n", Encoding.UTF8.GetString(await sandbox.ReadFileAsync("/src/app.py", Token)));

        var written = await sandbox.WriteFileAsync("output/report.md", "# report\n", Token);
        Assert.Equal("output/report.md", written.Path);
        Assert.Equal(9, written.Size);
        Assert.Equal("# report\n", (await sandbox.RunAsync("cat output/report.md", cancellationToken: Token)).Stdout);

        var root = await sandbox.ListFilesAsync(cancellationToken: Token);
        var names = root.Select(f => f.Name).ToList();
        Assert.Contains("README.md", names);
        Assert.Contains(root, f => f.Name == "src" && f.IsDirectory);
        Assert.DoesNotContain(".env", names);
        Assert.DoesNotContain("secrets", names);
        Assert.Contains(await sandbox.ListFilesAsync("output", Token), f => f.Path == "output/report.md");

        var stat = await sandbox.StatAsync("scripts/deploy.sh", Token);
        Assert.Equal(12, stat.Size);
        Assert.True(await sandbox.ExistsAsync("README.md", Token));
        Assert.False(await sandbox.ExistsAsync(".env", Token));

        await sandbox.DeleteFileAsync("output/report.md", Token);
        Assert.False(await sandbox.ExistsAsync("output/report.md", Token));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Files_WhatThePolicyRefuses_RaisesTypedErrors()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var hidden = await Assert.ThrowsAsync<FileNotFoundInSandboxException>(() => sandbox.ReadFileAsync(".env", Token));
        Assert.Equal("FILE_NOT_FOUND", hidden.Reason);
        await Assert.ThrowsAsync<FileNotFoundInSandboxException>(() => sandbox.ReadFileAsync("secrets/token.txt", Token));
        var view = await Assert.ThrowsAsync<PermissionDeniedException>(() => sandbox.ReadFileAsync("scripts/deploy.sh", Token));
        Assert.Equal("POLICY_DENIED", view.Reason);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => sandbox.WriteFileAsync("README.md", "changed", Token));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => sandbox.DeleteFileAsync("README.md", Token));
        var bad = await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.ReadFileAsync("../etc/passwd", Token));
        Assert.Equal("INVALID_PATH", bad.Reason);

        // The same refusals for commands in the box, and the audit kept them.
        var shell = await sandbox.RunAsync("cat .env; cat scripts/deploy.sh; echo x >> README.md", cancellationToken: Token);
        Assert.NotEqual(0, shell.ExitCode);
        Assert.Contains("No such file", shell.Stderr, StringComparison.Ordinal);
        Assert.Contains("Permission denied", shell.Stderr, StringComparison.Ordinal);
        var audit = await sandbox.GetAuditAsync(cancellationToken: Token);
        Assert.Contains(audit, a => a.Kind == AuditKind.Refusal && a.Path == "scripts/deploy.sh" && a.Level == Permission.View);
        if (Mode is RemoteMode)
            Assert.Contains(audit, a => a.Kind == AuditKind.Command && a.Command!.StartsWith("cat .env", StringComparison.Ordinal) && a.ExitCode != 0);
        Assert.Single(await sandbox.GetAuditAsync(limit: 1, Token));
        Assert.Equal("# demo\n", File.ReadAllText(project["README.md"]));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Changes_DiffExportDiscardCommit_ReachTheCodebaseOnlyOnCommit()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        await sandbox.RunAsync("echo result > output/result.txt && rm output/.gitkeep", raiseOnError: true, cancellationToken: Token);
        var diff = await sandbox.DiffAsync(Token);
        Assert.Contains(diff, c => c.Path == "output/result.txt" && c.Kind == ChangeKind.Added && c.Size == 7);
        Assert.Contains(diff, c => c.Path == "output/.gitkeep" && c.Kind == ChangeKind.Deleted);

        using var tar = new MemoryStream();
        await sandbox.ExportAsync(tar, Token);
        tar.Position = 0;
        var entries = new List<string>();
        using (var reader = new TarReader(tar))
        {
            while (await reader.GetNextEntryAsync(cancellationToken: Token) is { } entry)
                entries.Add(entry.Name);
        }
        Assert.Contains(entries, n => n.EndsWith("output/result.txt", StringComparison.Ordinal));
        Assert.Contains(entries, n => n.EndsWith(".wh..gitkeep", StringComparison.Ordinal));

        await sandbox.DiscardAsync(Token);
        Assert.Empty(await sandbox.DiffAsync(Token));
        Assert.False(await sandbox.ExistsAsync("output/result.txt", Token));

        await sandbox.WriteFileAsync("output/final.txt", "final\n", Token);
        var commit = await sandbox.CommitAsync(Token);
        Assert.Contains(commit.Applied, c => c.Path == "output/final.txt");
        Assert.Empty(commit.Conflicts);
        Assert.Empty(await sandbox.DiffAsync(Token));

        // A new sandbox over the codebase sees the committed file.
        await using var fresh = await Sandbox.FromCodebaseAsync(sandbox.CodebaseId, await Mode.OptionsAsync(), cancellationToken: Token);
        Assert.Equal("final\n", await fresh.ReadAllTextAsync("output/final.txt", Token));
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task UpdateRules_AppliesAtOnce_BadRuleIsInvalidConfiguration()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        var updated = await sandbox.UpdateRulesAsync([.. Presets.AgentSafe.Rules, Rule.None("README.md", 200, PatternType.File)], Token);
        Assert.Contains(updated.Rules, r => r.Pattern == "README.md" && r.Permission == Permission.None);
        await Assert.ThrowsAsync<FileNotFoundInSandboxException>(() => sandbox.ReadFileAsync("README.md", Token));
        Assert.Equal("gone\n", (await sandbox.RunAsync("test -e README.md && echo there || echo gone", cancellationToken: Token)).Stdout);

        var e = await Assert.ThrowsAsync<InvalidConfigurationException>(() => sandbox.UpdateRulesAsync([Rule.Read("src/[abc")], Token));
        Assert.Equal("INVALID_RULE", e.Reason);
        Assert.Contains("src/[abc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ReadFile_PastTheLimit_ResourceLimitExceeded()
    {
        var (project, sandbox) = await StartAsync();
        using var _ = project;
        await using var __ = sandbox;

        await sandbox.RunAsync("head -c 70000000 /dev/zero > output/big", raiseOnError: true, cancellationToken: Token);
        var e = await Assert.ThrowsAsync<ResourceLimitExceededException>(() => sandbox.ReadFileAsync("output/big", Token));
        Assert.Equal("FILE_TOO_LARGE", e.Reason);
    }
}
