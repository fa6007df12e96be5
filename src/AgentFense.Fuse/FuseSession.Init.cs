using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

public sealed partial class FuseSession
{
    /// <summary>The INIT flags we ask for; the reply carries the subset the kernel offered.</summary>
    internal const FuseInitFlags WantedFlags =
        FuseInitFlags.AsyncRead | FuseInitFlags.BigWrites | FuseInitFlags.AtomicOTrunc |
        FuseInitFlags.DoReaddirplus | FuseInitFlags.ReaddirplusAuto | FuseInitFlags.ParallelDirops |
        FuseInitFlags.MaxPages | FuseInitFlags.CacheSymlinks | FuseInitFlags.NoOpendirSupport |
        FuseInitFlags.InitExt;

    private void HandleInit(FuseWorker w, ulong unique, ReadOnlySpan<byte> p)
    {
        var init = FuseWire.Read<FuseInitIn>(p);
        if (init.Major > FuseWire.KernelVersion)
        {
            // A newer major: answer with ours; the kernel sends a new INIT if it can speak it.
            SendStruct(w, unique, new FuseInitOut { Major = FuseWire.KernelVersion, Minor = FuseWire.MaxMinor });
            return;
        }
        if (init.Major < FuseWire.KernelVersion || init.Minor < FuseWire.MinMinor)
        {
            Log($"kernel speaks FUSE {init.Major}.{init.Minor}; we need 7.{FuseWire.MinMinor} or later");
            SendError(w, unique, Errno.EPROTO);
            _initDone.Set();
            return;
        }
        var output = Negotiate(in init, Options, out var connection);
        try
        {
            _fs.Init(connection);
        }
        catch (Exception ex)
        {
            Log($"Init threw: {ex}");
        }
        _connection = connection;
        SendStruct(w, unique, in output);
        _initDone.Set();
    }

    /// <summary>
    /// Picks the protocol minor and flags for an INIT request: our wanted flags that the kernel offers, writeback
    /// cache only when asked, passthrough (7.40, max_stack_depth 1) when asked and not excluded by writeback.
    /// </summary>
    internal static FuseInitOut Negotiate(in FuseInitIn init, MountOptions options, out FuseConnectionInfo connection)
    {
        var offered = (FuseInitFlags)init.Flags;
        if ((offered & FuseInitFlags.InitExt) != 0)
            offered |= (FuseInitFlags)((ulong)init.Flags2 << 32);

        var wanted = WantedFlags;
        if (options.WritebackCache)
            wanted |= FuseInitFlags.WritebackCache;
        else if (options.Passthrough && init.Minor >= 40)
            wanted |= FuseInitFlags.Passthrough;
        var flags = wanted & offered;

        uint maxWrite = options.EffectiveMaxWrite;
        uint minor = Math.Min(init.Minor, FuseWire.MaxMinor);
        var output = new FuseInitOut
        {
            Major = FuseWire.KernelVersion,
            Minor = minor,
            MaxReadahead = init.MaxReadahead,
            Flags = (uint)flags,
            Flags2 = (uint)((ulong)flags >> 32),
            MaxBackground = options.MaxBackground,
            CongestionThreshold = (ushort)(options.MaxBackground * 3 / 4),
            MaxWrite = maxWrite,
            TimeGran = 1,
            MaxPages = (ushort)((maxWrite + 4095) / 4096),
            // Our backing files live on ordinary filesystems (depth 0), so this mount is one level above them.
            MaxStackDepth = (flags & FuseInitFlags.Passthrough) != 0 ? 1u : 0u,
        };
        connection = new FuseConnectionInfo(init.Minor, minor, offered, flags, maxWrite, init.MaxReadahead);
        return output;
    }
}
