using AgentFense.Runtime.Bubblewrap;
using AgentFense.TestSupport;

namespace AgentFense.Runtime.Tests;

[Trait("Requires", "Bwrap")]
[Trait("Requires", "Docker")]
public sealed class BoxIsolationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_ServerEnvironment_NotVisibleInside(string runtime)
    {
        BoxFixture.Require(runtime);
        Environment.SetEnvironmentVariable("AGENTFENSE_SERVER_SECRET", "hunter2");
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with
        {
            Environment = new Dictionary<string, string> { ["FROM_CALLER"] = "yes" },
        }), Token);
        var result = await BoxFixture.RunAsync(box, "env; echo; tr '\\0' '\\n' < /proc/1/environ");
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("AGENTFENSE_SERVER_SECRET", result.StdoutText, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("FROM_CALLER=yes", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("HOME=/tmp", result.StdoutText, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_Identity_BoxUserHostnameWorkspaceWritable(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        workspace.WriteFile("hello.txt", "from host");
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path, s => s with { Hostname = "agent-box" }), Token);
        var result = await BoxFixture.RunAsync(box, "id; hostname; cat /proc/sys/kernel/hostname; pwd; cat hello.txt; echo; echo written > /workspace/out.txt; echo $$");
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutText.Split('\n');
        Assert.Equal("uid=1000(sandbox) gid=1000(sandbox) groups=1000(sandbox)", lines[0]);
        Assert.Equal("agent-box", lines[1]);
        Assert.Equal("agent-box", lines[2]);
        Assert.Equal("/workspace", lines[3]);
        Assert.Equal("from host", lines[4]);
        Assert.Equal("written\n", File.ReadAllText(workspace["out.txt"]));
        Assert.Equal(1000, Owner(workspace["out.txt"]));
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_Process_NoCapabilitiesNoNewPrivsSeccompPid1IsInit(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box, "grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status; grep -E '^(Uid|Gid|CapEff|CapBnd)' /proc/1/status; cat /proc/1/cmdline | tr '\\0' ' '");
        Assert.Equal(0, result.ExitCode);
        var status = result.StdoutText;
        foreach (var cap in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
            Assert.Contains($"{cap}:\t0000000000000000", status, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", status, StringComparison.Ordinal);
        Assert.Contains("Seccomp:\t2", status, StringComparison.Ordinal);
        Assert.Contains("Uid:\t1000\t1000\t1000\t1000", status, StringComparison.Ordinal);
        Assert.Contains(runtime == "bwrap" ? "/.agentfense/init --fd 3" : "/.agentfense/init --connect /.agentfense/run/init.sock", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_Etc_SynthesizedWithoutHostSecrets()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box, "ls -A /etc; echo ---; cat /etc/passwd; echo ---; awk 'BEGIN { print 6 * 7 }'; getent passwd sandbox; touch /etc/x 2>&1; touch /x 2>&1");
        Assert.Equal(1, result.ExitCode);
        var parts = result.StdoutText.Split("---\n");
        var etc = parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "passwd", "group", "hosts", "hostname", "nsswitch.conf", "ld.so.cache", "alternatives", "ssl", "localtime" })
            Assert.Contains(name, etc);
        foreach (var name in new[] { "shadow", "gshadow", "sudoers", "ssh", "machine-id", "resolv.conf", "sudoers.d", "environment" })
            Assert.DoesNotContain(name, etc);
        Assert.DoesNotContain(File.ReadAllLines("/etc/passwd").First(l => !l.StartsWith("root:", StringComparison.Ordinal)), parts[1], StringComparison.Ordinal);
        Assert.Contains("42\nsandbox:x:1000:1000:", parts[2], StringComparison.Ordinal);
        Assert.Contains("Read-only file system", parts[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_HostPaths_NotVisible()
    {
        BoxFixture.Require();
        using var workspace = BoxFixture.Workspace();
        using var other = BoxFixture.Workspace();
        await using var otherBox = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(other.Path), Token);
        await using var box = await BoxFixture.Runtime.StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box, $"ls -A /; for p in /home /root /var /run /srv /opt /mnt /sys /work {RepoPaths.Root} {other.Path} {workspace.Path} /run/agentfense; do test -e $p && echo visible $p; done; ps -e -o pid= | wc -l");
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("visible", result.StdoutText, StringComparison.Ordinal);
        var root = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..^1].Order().ToArray();
        Assert.Equal([".agentfense", "bin", "dev", "etc", "lib", "lib64", "proc", "sbin", "tmp", "usr", "workspace"], root.Where(n => n != "lib32" && n != "libx32").ToArray());
        // ps sees only init, the shell and ps itself: not the other box, not the host.
        Assert.True(int.Parse(result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 4);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_Mountinfo_RevealsNoHostPathOfAWorkspaceMount(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        // The engine binds a FUSE mount, whose root is "/" of its own filesystem; a tmpfs stands in for it.
        Mount("-t", "tmpfs", "-o", "mode=0755,uid=1000,gid=1000", "agentfense", workspace.Path);
        try
        {
            await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
            var result = await BoxFixture.RunAsync(box, "cat /proc/self/mountinfo");
            Assert.Equal(0, result.ExitCode);
            var mountinfo = result.StdoutText;
            Assert.DoesNotContain(workspace.Path, mountinfo, StringComparison.Ordinal);
            Assert.DoesNotContain(RepoPaths.Root, mountinfo, StringComparison.Ordinal);
            Assert.DoesNotContain("/tmp/", mountinfo, StringComparison.Ordinal);
            Assert.DoesNotContain("/home", mountinfo, StringComparison.Ordinal);
            Assert.Contains(" / /workspace ", mountinfo, StringComparison.Ordinal);
            TestContext.Current.TestOutputHelper?.WriteLine(mountinfo);
        }
        finally
        {
            Mount("-l", workspace.Path, umount: true);
        }
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_Descriptors_NoEngineDescriptorInsideBox(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        // An inheritable descriptor of the engine must not reach the box.
        using var leaky = File.OpenHandle(workspace.WriteFile("engine-secret"), FileMode.Open);
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var result = await BoxFixture.RunAsync(box, "for f in /proc/1/fd/* /proc/self/fd/*; do echo \"$f $(readlink $f)\"; done");
        Assert.Equal(0, result.ExitCode);
        TestContext.Current.TestOutputHelper?.WriteLine(result.StdoutText);
        foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var target = line.Split(' ', 2)[1];
            Assert.True(target.Length == 0 || target == "/dev/null" || target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("pipe:", StringComparison.Ordinal)
                || target.StartsWith("anon_inode:", StringComparison.Ordinal) || target.StartsWith("/proc/", StringComparison.Ordinal) || target.StartsWith("/dev/pts", StringComparison.Ordinal),
                $"unexpected descriptor in the box: {line}");
        }
        // init holds 0-2 and its socket (3) plus its own poll/pipe descriptors; nothing numbered for bwrap's inputs (4-12) points at data.
        Assert.DoesNotContain("engine-secret", result.StdoutText, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_ExitCodesAndSignals_Reported(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        Assert.Equal(0, (await BoxFixture.RunAsync(box, "true")).ExitCode);
        Assert.Equal(42, (await BoxFixture.RunAsync(box, "exit 42")).ExitCode);
        var killed = await BoxFixture.RunAsync(box, "kill -TERM $$");
        Assert.Equal(15, killed.Exit.Signal);
        Assert.Equal(127, (await BoxFixture.RunAsync(box, "no-such-command-here")).ExitCode);
    }

    [Theory]
    [MemberData(nameof(BoxFixture.Runtimes), MemberType = typeof(BoxFixture))]
    public async Task Exec_PtyAndSession_WorkInsideTheBox(string runtime)
    {
        BoxFixture.Require(runtime);
        using var workspace = BoxFixture.Workspace();
        await using var box = await BoxFixture.For(runtime).StartAsync(BoxFixture.Spec(workspace.Path), Token);
        var pty = await box.Client.ExecAsync(box.WithDefaults(new AgentFense.Runtime.Init.ExecOptions { Command = "tty; echo $TERM", Pty = (80, 24), Timeout = TimeSpan.FromSeconds(10) }), Token);
        Assert.Equal(0, pty.ExitCode);
        Assert.StartsWith("/dev/pts/", pty.StdoutText, StringComparison.Ordinal);
        Assert.Contains("xterm-256color", pty.StdoutText, StringComparison.Ordinal);
    }

    internal static int Owner(string path)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static void Mount(params string[] args) => Mount(args[..^1].Append(args[^1]).ToArray(), umount: false);

    internal static void Mount(string[] args, bool umount)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(umount ? "umount" : "mount", args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{(umount ? "umount" : "mount")} {string.Join(' ', args)}: {error}");
    }

    private static void Mount(string flag, string path, bool umount) => Mount([flag, path], umount);
}
