using AgentFense.Policy;
using AgentFense.TestSupport;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>
/// The POSIX checks on a native directory and on a mounted sandbox view (full access, real ownership);
/// the two must print the same, as root and as an unprivileged user.
/// </summary>
[Trait("Requires", "Fuse")]
public class PosixConformanceTests
{
    private const string User = "65534"; // nobody

    public static TheoryData<string> RootChecks => new(PosixChecks.AsRoot.Select(c => c.Name));

    public static TheoryData<string> UserChecks => new(PosixChecks.AsUser.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(RootChecks))]
    public void AsRoot_MountAgreesWithNative(string check)
    {
        var script = PosixChecks.AsRoot.Single(c => c.Name == check).Script;
        AssertAgree(script, user: null, fixture: null);
    }

    [Theory]
    [MemberData(nameof(UserChecks))]
    public void AsUser_MountAgreesWithNative(string check)
    {
        var script = PosixChecks.AsUser.Single(c => c.Name == check).Script;
        AssertAgree(script, User, PosixChecks.UserFixture);
    }

    private static void AssertAgree(string script, string? user, string? fixture)
    {
        Requires.Fuse();
        Requires.Program("setfattr");
        var native = RunNative(script, user, fixture);
        var mounted = RunMounted(script, user, fixture);
        Assert.Equal(native, mounted);
        Assert.NotEqual("", native.Out.Trim());
    }

    private static (int Code, string Out) RunNative(string script, string? user, string? fixture)
    {
        using var dir = new TempDirectory("agentfense-posix-native-");
        Prepare(dir.Path, fixture);
        var (code, output, _) = Shell.Run($"cd work && {script}", dir.Path, user);
        return (code, output);
    }

    private static (int Code, string Out) RunMounted(string script, string? user, string? fixture)
    {
        using var sb = new MountedSandbox([new PermissionRule("**", Permission.Write)]);
        Prepare(sb.MountPoint, fixture);
        var (code, output, _) = sb.Sh($"cd work && {script}", user);
        Assert.Empty(sb.Log);
        return (code, output);
    }

    // The work directory is world-writable so the unprivileged user can create in it, like the test's root.
    private static void Prepare(string root, string? fixture)
    {
        var (code, _, error) = Shell.Run($"chmod 755 . && mkdir work && chmod 1777 work && {fixture ?? "true"}", root, null);
        Assert.True(code == 0, error);
    }
}
