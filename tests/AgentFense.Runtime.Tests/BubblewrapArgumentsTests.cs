using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Bubblewrap;

namespace AgentFense.Runtime.Tests;

public sealed class BubblewrapArgumentsTests
{
    private static readonly HostLayout s_host = new([("/usr", null), ("/bin", "usr/bin"), ("/lib64", "usr/lib64")]);

    private static BoxSpec Spec(bool network = false) => new()
    {
        Id = "b1",
        WorkspaceHostPath = "/data/mounts/b1",
        InitPath = "/opt/agentfense-init",
        Network = network,
        Hostname = "box-1",
        Limits = new BoxLimits { TmpSizeBytes = 1234 },
    };

    private static List<string> Build(bool asRoot, bool network = false)
    {
        var spec = Spec(network);
        return BubblewrapArguments.Build(spec, EtcFiles.Build(spec), s_host, "/run/agentfense/init/x", asRoot);
    }

    private static bool HasSequence(List<string> args, params string[] sequence) =>
        Enumerable.Range(0, args.Count - sequence.Length + 1).Any(i => args.Skip(i).Take(sequence.Length).SequenceEqual(sequence));

    [Fact]
    public void Build_AsRoot_NamespacesHardeningAndSetprivBeforeInit()
    {
        var args = Build(asRoot: true);
        foreach (var flag in new[] { "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup", "--die-with-parent", "--new-session", "--as-pid-1", "--clearenv" })
            Assert.Contains(flag, args);
        Assert.DoesNotContain("--share-net", args);
        Assert.DoesNotContain("--unshare-user", args);
        Assert.True(HasSequence(args, "--cap-drop", "ALL"));
        Assert.True(HasSequence(args, "--seccomp", "4"));
        Assert.True(HasSequence(args, "--hostname", "box-1"));
        Assert.True(HasSequence(args, "/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--", "/.agentfense/init", "--fd", "3"));
        Assert.Equal("3", args[^1]);
    }

    [Fact]
    public void Build_NotRoot_UserNamespaceWithUidAndNoSetpriv()
    {
        var args = Build(asRoot: false);
        Assert.True(HasSequence(args, "--unshare-user", "--disable-userns", "--uid", "1000", "--gid", "1000"));
        Assert.DoesNotContain("/usr/bin/setpriv", args);
        Assert.DoesNotContain("--cap-add", args);
    }

    [Fact]
    public void Build_Filesystem_SystemDirsReadOnlyTmpSizedWorkspaceBound()
    {
        var args = Build(asRoot: true);
        Assert.True(HasSequence(args, "--ro-bind", "/usr", "/usr"));
        Assert.True(HasSequence(args, "--symlink", "usr/bin", "/bin"));
        Assert.True(HasSequence(args, "--perms", "1777", "--size", "1234", "--tmpfs", "/tmp"));
        Assert.True(HasSequence(args, "--bind", "/data/mounts/b1", "/workspace"));
        Assert.True(HasSequence(args, "--ro-bind", "/run/agentfense/init/x", "/.agentfense/init"));
        Assert.True(HasSequence(args, "--perms", "0755", "--dir", "/.agentfense"));
        Assert.True(HasSequence(args, "--remount-ro", "/"));
        Assert.False(HasSequence(args, "--ro-bind", "/etc", "/etc"));
        Assert.False(HasSequence(args, "--bind", "/", "/"));
    }

    [Fact]
    public void Build_EtcFiles_OneDescriptorEachFromSeven()
    {
        var spec = Spec();
        var etc = EtcFiles.Build(spec);
        var args = BubblewrapArguments.Build(spec, etc, s_host, "/x", asRoot: true);
        for (var i = 0; i < etc.Files.Count; i++)
            Assert.True(HasSequence(args, "--file", (7 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), etc.Files[i].Path));
    }

    [Fact]
    public void EtcFiles_Build_SandboxUserAndNoSecrets()
    {
        var etc = EtcFiles.Build(Spec());
        var paths = etc.Files.Select(f => f.Path).Concat(etc.ReadOnlyBinds).ToList();
        var passwd = System.Text.Encoding.UTF8.GetString(etc.Files.Single(f => f.Path == "/etc/passwd").Content);
        Assert.Contains("sandbox:x:1000:1000:", passwd, StringComparison.Ordinal);
        Assert.Contains("/etc/hosts", paths);
        Assert.Contains("/etc/nsswitch.conf", paths);
        Assert.DoesNotContain("/etc/resolv.conf", paths);
        foreach (var secret in new[] { "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh", "/etc/machine-id", "/etc/ssl/private" })
            Assert.DoesNotContain(secret, paths);
    }

    [Fact]
    public void EtcFiles_Network_AddsResolvConf()
    {
        var etc = EtcFiles.Build(Spec(network: true));
        var resolv = etc.Files.Single(f => f.Path == "/etc/resolv.conf");
        Assert.Equal("nameserver 10.0.2.3\n", System.Text.Encoding.UTF8.GetString(resolv.Content));
    }

    [Theory]
    [InlineData("{\n    \"child-pid\": 4242\n}", 4242)]
    [InlineData("{\"child-pid\":17,\"cgroup-namespace\":1}", 17)]
    public void TryParseChildPid_BwrapInfo_FindsPid(string json, int expected)
    {
        Assert.True(BubblewrapRuntime.TryParseChildPid(json, out var pid));
        Assert.Equal(expected, pid);
    }

    [Theory]
    [InlineData("{\n    \"child-pid\": 42")]
    [InlineData("{")]
    public void TryParseChildPid_Incomplete_False(string json) => Assert.False(BubblewrapRuntime.TryParseChildPid(json, out _));
}
