using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentFense.Fuse.Protocol;

namespace AgentFense.Fuse;

/// <summary>
/// Packs READDIR (fuse_dirent) or READDIRPLUS (fuse_direntplus) records into the reply buffer, each padded
/// to 8 bytes (FUSE_DIRENT_ALIGN), and refuses an entry that does not fit whole. The offset given with each
/// entry is the cookie the kernel sends back as the READDIR offset to continue after that entry.
/// </summary>
public ref struct FuseDirEntryWriter
{
    private readonly Span<byte> _buffer;
    private int _used;

    /// <summary>Creates a writer over <paramref name="buffer"/> (the kernel's requested size).</summary>
    /// <param name="buffer">Where the records go.</param>
    /// <param name="plus">True for READDIRPLUS records, which carry a <see cref="FuseEntryOut"/>.</param>
    public FuseDirEntryWriter(Span<byte> buffer, bool plus)
    {
        _buffer = buffer;
        IsPlus = plus;
    }

    /// <summary>True when the kernel asked for READDIRPLUS: use <see cref="TryAddPlus"/>.</summary>
    public bool IsPlus { get; }

    /// <summary>Bytes written so far.</summary>
    public readonly int BytesWritten => _used;

    /// <summary>True when no entry has been written.</summary>
    public readonly bool IsEmpty => _used == 0;

    internal readonly ReadOnlySpan<byte> Written => _buffer[.._used];

    /// <summary>
    /// Adds an entry without attributes; returns false (writing nothing) when it does not fit. In READDIRPLUS
    /// mode it writes a record with node id 0, which the kernel takes as "no attributes, no lookup".
    /// </summary>
    /// <param name="name">The name, without NUL.</param>
    /// <param name="ino">The inode number shown in d_ino.</param>
    /// <param name="mode">The st_mode of the entry; only the S_IFMT bits are used (they give d_type).</param>
    /// <param name="nextOffset">The cookie to resume after this entry.</param>
    public bool TryAdd(ReadOnlySpan<byte> name, ulong ino, uint mode, ulong nextOffset)
    {
        if (IsPlus)
            return TryAddPlus(name, new FuseEntryOut { Attr = new FuseAttr { Ino = ino, Mode = mode } }, nextOffset);
        int head = Unsafe.SizeOf<FuseDirent>();
        int size = FuseWire.Align8(head + name.Length);
        if (_used + size > _buffer.Length)
            return false;
        var record = _buffer.Slice(_used, size);
        WriteDirent(record, name, ino, mode, nextOffset);
        _used += size;
        return true;
    }

    /// <summary>
    /// Adds a READDIRPLUS entry; returns false (writing nothing) when it does not fit. An entry written with a
    /// non-zero <see cref="FuseEntryOut.NodeId"/> counts as one lookup of that node (the kernel will FORGET it),
    /// except for "." and "..", which the kernel does not count. d_ino and d_type come from <paramref name="entry"/>.
    /// </summary>
    public bool TryAddPlus(ReadOnlySpan<byte> name, in FuseEntryOut entry, ulong nextOffset)
    {
        int entrySize = Unsafe.SizeOf<FuseEntryOut>();
        int size = FuseWire.Align8(entrySize + Unsafe.SizeOf<FuseDirent>() + name.Length);
        if (_used + size > _buffer.Length)
            return false;
        var record = _buffer.Slice(_used, size);
        MemoryMarshal.Write(record, in entry);
        WriteDirent(record[entrySize..], name, entry.Attr.Ino, entry.Attr.Mode, nextOffset);
        _used += size;
        return true;
    }

    private static void WriteDirent(Span<byte> record, ReadOnlySpan<byte> name, ulong ino, uint mode, ulong nextOffset)
    {
        int head = Unsafe.SizeOf<FuseDirent>();
        var dirent = new FuseDirent { Ino = ino, Off = nextOffset, NameLen = (uint)name.Length, Type = (mode & 0xF000) >> 12 };
        MemoryMarshal.Write(record, in dirent);
        name.CopyTo(record[head..]);
        record[(head + name.Length)..].Clear();
    }
}
