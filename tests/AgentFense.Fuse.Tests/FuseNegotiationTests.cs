using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse.Tests;

public class FuseNegotiationTests
{
    private static FuseInitIn KernelInit(uint minor, FuseInitFlags offered) => new()
    {
        Major = 7,
        Minor = minor,
        MaxReadahead = 128 * 1024,
        Flags = (uint)offered | (uint)FuseInitFlags.InitExt,
        Flags2 = (uint)((ulong)offered >> 32),
    };

    private const FuseInitFlags Everything = (FuseInitFlags)0x7FF_FFFF_FFFFUL & ~FuseInitFlags.InitReserved;

    [Fact]
    public void Negotiate_NewerKernel_UsesOurMaxMinorAndPassthrough()
    {
        var init = KernelInit(45, Everything);

        var output = FuseSession.Negotiate(in init, new MountOptions(), out var connection);

        Assert.Equal(7U, output.Major);
        Assert.Equal(40U, output.Minor);
        Assert.True(connection.Passthrough);
        Assert.Equal(1U, output.MaxStackDepth);
        Assert.Equal((uint)((ulong)FuseInitFlags.Passthrough >> 32), output.Flags2 & (uint)((ulong)FuseInitFlags.Passthrough >> 32));
        Assert.Equal(1U << 20, output.MaxWrite);
        Assert.Equal(256, output.MaxPages);
        Assert.Equal(init.MaxReadahead, output.MaxReadahead);
        var flags = (FuseInitFlags)output.Flags;
        Assert.True(flags.HasFlag(FuseInitFlags.AsyncRead | FuseInitFlags.BigWrites | FuseInitFlags.AtomicOTrunc |
            FuseInitFlags.DoReaddirplus | FuseInitFlags.ReaddirplusAuto | FuseInitFlags.ParallelDirops |
            FuseInitFlags.MaxPages | FuseInitFlags.CacheSymlinks | FuseInitFlags.NoOpendirSupport));
        Assert.False(flags.HasFlag(FuseInitFlags.WritebackCache));
        Assert.False(flags.HasFlag(FuseInitFlags.NoOpenSupport));
    }

    [Fact]
    public void Negotiate_OlderKernel_UsesItsMinorWithoutPassthrough()
    {
        var init = KernelInit(38, Everything & ~FuseInitFlags.Passthrough);

        var output = FuseSession.Negotiate(in init, new MountOptions(), out var connection);

        Assert.Equal(38U, output.Minor);
        Assert.False(connection.Passthrough);
        Assert.Equal(0U, output.MaxStackDepth);
    }

    [Fact]
    public void Negotiate_KernelWithoutFlag_NeverClaimsIt()
    {
        var init = KernelInit(40, FuseInitFlags.AsyncRead);

        var output = FuseSession.Negotiate(in init, new MountOptions(), out var connection);

        Assert.Equal((uint)FuseInitFlags.AsyncRead, output.Flags & ~(uint)FuseInitFlags.InitExt);
        Assert.Equal(0U, output.Flags2);
        Assert.False(connection.ReadDirPlus);
    }

    [Fact]
    public void Negotiate_WritebackCache_ExcludesPassthrough()
    {
        var init = KernelInit(40, Everything);

        FuseSession.Negotiate(in init, new MountOptions { WritebackCache = true }, out var connection);

        Assert.True(connection.WritebackCache);
        Assert.False(connection.Passthrough);
    }

    [Fact]
    public void Negotiate_PassthroughOff_DoesNotAskForIt()
    {
        var init = KernelInit(40, Everything);

        var output = FuseSession.Negotiate(in init, new MountOptions { Passthrough = false }, out var connection);

        Assert.False(connection.Passthrough);
        Assert.Equal(0U, output.MaxStackDepth);
    }

    [Fact]
    public void Negotiate_SmallMaxWrite_ClampsPages()
    {
        var init = KernelInit(40, Everything);

        var output = FuseSession.Negotiate(in init, new MountOptions { MaxWrite = 100 }, out _);

        Assert.Equal(4096U, output.MaxWrite);
        Assert.Equal(1, output.MaxPages);
    }
}
