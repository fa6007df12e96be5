using System.Text;
using AgentFense.Engine.Files;
using AgentFense.Policy;
using AgentFense.TestSupport;
using static AgentFense.Engine.Tests.EngineFixture;

namespace AgentFense.Engine.Tests;

/// <summary>File operations through a running sandbox's view: the policy decides, links are never followed.</summary>
[Trait("Requires", "Bwrap")]
public sealed class SandboxManagerFilesTests
{
    private static readonly PermissionRule[] s_rules =
    [
        new("**", Permission.Read),
        new("output/**", Permission.Write, Priority: 10),
        new("README.md", Permission.View, Priority: 10),
        new(".env", Permission.None, Priority: 10),
    ];

    [Fact]
    public async Task Files_FollowThePolicy()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var codebase = Codebase();
        codebase.WriteFile("output/keep/inner.txt", "x");
        await using var manager = await StartManagerAsync(data.Path, maxFileReadBytes: 4096);
        var id = manager.Create(Spec(codebase.Path, s_rules)).Id;
        await manager.StartAsync(id, Token);

        Assert.Equal("print('hi')\n", Encoding.UTF8.GetString(await manager.ReadFileAsync(id, "src/app.py", Token)));
        Assert.Equal(ViewFileError.NotFound, (await FailsAsync(() => manager.ReadFileAsync(id, ".env", Token))).Error);
        Assert.Equal(ViewFileError.NotFound, (await FailsAsync(() => manager.StatFileAsync(id, ".env", Token))).Error);
        var root = await manager.ListFilesAsync(id, "", Token);
        Assert.DoesNotContain(root, e => e.Path == ".env");
        Assert.Contains(root, e => e.Path == "src" && e.IsDirectory);

        Assert.Equal(ViewFileError.Denied, (await FailsAsync(() => manager.ReadFileAsync(id, "README.md", Token))).Error);
        Assert.Equal("README.md", (await manager.StatFileAsync(id, "README.md", Token)).Path);

        Assert.Equal(ViewFileError.Denied, (await FailsAsync(() => manager.WriteFileAsync(id, "src/app.py", "pwned"u8.ToArray(), Token))).Error);
        Assert.Equal(ViewFileError.Denied, (await FailsAsync(() => manager.DeleteFileAsync(id, "src/app.py", Token))).Error);
        Assert.Equal("print('hi')\n", File.ReadAllText(codebase["src/app.py"]));

        var written = await manager.WriteFileAsync(id, "output/new.txt", "fresh"u8.ToArray(), Token);
        Assert.Equal(new ViewFileInfo("output/new.txt", 5, false, false, written.Mode, written.ModifiedAt), written);
        Assert.Equal("fresh", Encoding.UTF8.GetString(await manager.ReadFileAsync(id, "/output/./new.txt", Token)));
        Assert.False(File.Exists(codebase["output/new.txt"]), "a write lands in the delta, not the codebase");
        Assert.Equal(ViewFileError.NotEmpty, (await FailsAsync(() => manager.DeleteFileAsync(id, "output/keep", Token))).Error);
        await manager.DeleteFileAsync(id, "output/new.txt", Token);
        Assert.Equal(ViewFileError.NotFound, (await FailsAsync(() => manager.StatFileAsync(id, "output/new.txt", Token))).Error);

        await manager.WriteFileAsync(id, "output/big.bin", new byte[4097], Token);
        var tooLarge = await FailsAsync(() => manager.ReadFileAsync(id, "output/big.bin", Token));
        Assert.Equal(ViewFileError.TooLarge, tooLarge.Error);
        Assert.Contains("4096", tooLarge.Message, StringComparison.Ordinal);
        await manager.WriteFileAsync(id, "output/exact.bin", new byte[4096], Token);
        Assert.Equal(4096, (await manager.ReadFileAsync(id, "output/exact.bin", Token)).Length);

        foreach (var bad in new[] { "../etc/passwd", "src/../../x", "a\0b", "", "/", new string('n', 256) })
            Assert.Equal(ViewFileError.InvalidPath, (await FailsAsync(() => manager.ReadFileAsync(id, bad, Token))).Error);
        Assert.Equal(ViewFileError.NotADirectory, (await FailsAsync(() => manager.ListFilesAsync(id, "src/app.py", Token))).Error);
        Assert.Equal(ViewFileError.IsADirectory, (await FailsAsync(() => manager.ReadFileAsync(id, "src", Token))).Error);

        await manager.StopAsync(id, Token);
        await Assert.ThrowsAsync<SandboxStateException>(() => manager.ReadFileAsync(id, "src/app.py", Token));
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => manager.StatFileAsync("no-such-sandbox", "", Token));
        await manager.DestroyAsync(id, Token);
    }

    [Fact]
    public async Task Files_NeverFollowALinkOutOfTheView()
    {
        Require();
        using var data = new TempDirectory("agentfense-data-");
        using var outside = new TempDirectory("agentfense-outside-");
        var secret = outside.WriteFile("secret.txt", "TOP SECRET\n");
        using var codebase = Codebase();
        File.CreateSymbolicLink(codebase["link-file"], secret);
        File.CreateSymbolicLink(codebase["link-dir"], outside.Path);
        File.CreateSymbolicLink(codebase["output/link-out"], secret);
        File.CreateSymbolicLink(codebase["output/link-dir"], outside.Path);
        await using var manager = await StartManagerAsync(data.Path);
        var id = manager.Create(Spec(codebase.Path, s_rules)).Id;
        await manager.StartAsync(id, Token);

        Assert.Equal(ViewFileError.SymbolicLink, (await FailsAsync(() => manager.ReadFileAsync(id, "link-file", Token))).Error);
        Assert.Equal(ViewFileError.NotADirectory, (await FailsAsync(() => manager.ReadFileAsync(id, "link-dir/secret.txt", Token))).Error);
        Assert.Equal(ViewFileError.NotADirectory, (await FailsAsync(() => manager.ListFilesAsync(id, "link-dir", Token))).Error);
        Assert.Equal(ViewFileError.SymbolicLink, (await FailsAsync(() => manager.WriteFileAsync(id, "output/link-out", "pwned"u8.ToArray(), Token))).Error);
        Assert.Equal(ViewFileError.NotADirectory, (await FailsAsync(() => manager.WriteFileAsync(id, "output/link-dir/planted.txt", "pwned"u8.ToArray(), Token))).Error);
        Assert.Equal(ViewFileError.NotADirectory, (await FailsAsync(() => manager.DeleteFileAsync(id, "output/link-dir/secret.txt", Token))).Error);

        var link = await manager.StatFileAsync(id, "link-file", Token);
        Assert.True(link.IsSymlink);
        Assert.False(link.IsDirectory);
        Assert.Contains(await manager.ListFilesAsync(id, "output", Token), e => e.Path == "output/link-dir" && e.IsSymlink && !e.IsDirectory);

        await manager.DeleteFileAsync(id, "output/link-out", Token);
        Assert.Equal("TOP SECRET\n", File.ReadAllText(secret));
        Assert.Equal([secret], Directory.GetFileSystemEntries(outside.Path));
        await manager.DestroyAsync(id, Token);
    }

    private static async Task<ViewFileException> FailsAsync(Func<Task> action) =>
        await Assert.ThrowsAsync<ViewFileException>(action);
}
