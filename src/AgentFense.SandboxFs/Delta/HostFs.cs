using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// Thin errno-returning wrappers over the host calls the delta engine needs. Every call works on an
/// absolute host path and never follows a final symlink unless its name says so; callers make sure
/// intermediate components are real directories.
/// </summary>
internal static class HostFs
{
    private const int CopyChunk = 1 << 20;

    internal static Errno LastError() => (Errno)Marshal.GetLastPInvokeError();

    private static Errno Check(int rc) => rc == 0 ? Errno.Success : LastError();

    internal static Errno Lstat(string path, out statx_t st) =>
        Check(statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out st));

    internal static bool Exists(string path) => Lstat(path, out _) == Errno.Success;

    internal static bool IsDirectory(string path) => Lstat(path, out var st) == Errno.Success && IsDir(st);

    internal static Errno Fstat(SafeHandle handle, out statx_t st) =>
        Check(fstatx(handle, "", AT_EMPTY_PATH, STATX_BASIC_STATS, out st));

    internal static FileKind Kind(in statx_t st) => EntryAttributes.KindOf(st.stx_mode);

    internal static bool IsDir(in statx_t st) => (st.stx_mode & S_IFMT) == S_IFDIR;

    internal static Errno Mkdir(string path, uint mode) => Check(mkdirat(AT_FDCWD, path, mode));

    internal static Errno Unlink(string path) => Check(unlinkat(AT_FDCWD, path, 0));

    internal static Errno Rmdir(string path) => Check(unlinkat(AT_FDCWD, path, AT_REMOVEDIR));

    internal static Errno Rename(string from, string to, uint flags = 0) =>
        Check(renameat2(AT_FDCWD, from, AT_FDCWD, to, flags));

    internal static Errno Symlink(string target, string path) => Check(symlinkat(target, AT_FDCWD, path));

    internal static Errno Link(string existing, string path) => Check(linkat(AT_FDCWD, existing, AT_FDCWD, path, 0));

    internal static Errno Mknod(string path, uint mode, ulong dev) => Check(mknodat(AT_FDCWD, path, mode, dev));

    internal static Errno Lchown(string path, uint uid, uint gid) =>
        Check(fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW));

    /// <summary>chmod of a non-symlink (links carry no mode on Linux).</summary>
    internal static Errno Chmod(string path, uint mode) => Check(fchmodat(AT_FDCWD, path, mode & 0xFFF, 0));

    internal static Errno Truncate(string path, long size) => Check(truncate(path, size));

    internal static unsafe Errno SetTimes(string path, TimeUpdate atime, TimeUpdate mtime)
    {
        var times = stackalloc timespec_t[2];
        times[0] = atime.ToTimespec();
        times[1] = mtime.ToTimespec();
        return Check(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
    }

    internal static Errno SetTimes(string path, in statx_t st) =>
        SetTimes(path,
            TimeUpdate.To(new UnixTime(st.stx_atime.tv_sec, st.stx_atime.tv_nsec)),
            TimeUpdate.To(new UnixTime(st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec)));

    /// <summary>openat with O_NOFOLLOW|O_CLOEXEC added; the handle owns the descriptor.</summary>
    internal static Errno Open(string path, int flags, uint mode, out SafeFileHandle handle)
    {
        var fd = openat(AT_FDCWD, path, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
        {
            handle = new SafeFileHandle();
            return LastError();
        }
        handle = new SafeFileHandle(fd, ownsHandle: true);
        return Errno.Success;
    }

    internal static unsafe Errno ReadLink(string path, out string target)
    {
        var size = 256;
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                nint n;
                fixed (byte* p = buffer)
                    n = readlinkat(AT_FDCWD, path, p, (nuint)buffer.Length);
                if (n < 0)
                {
                    target = "";
                    return LastError();
                }
                if (n < buffer.Length)
                {
                    target = Encoding.UTF8.GetString(buffer, 0, (int)n);
                    return Errno.Success;
                }
                size = buffer.Length * 2;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    internal static unsafe Errno GetXattr(string path, string name, out byte[] value)
    {
        while (true)
        {
            var size = lgetxattr(path, name, null, 0);
            if (size < 0)
            {
                value = [];
                return LastError();
            }
            value = new byte[size];
            nint n;
            fixed (byte* p = value)
                n = lgetxattr(path, name, p, (nuint)value.Length);
            if (n >= 0)
            {
                if (n != value.Length)
                    value = value.AsSpan(0, (int)n).ToArray();
                return Errno.Success;
            }
            if (LastError() != Errno.ERANGE)
            {
                value = [];
                return LastError();
            }
        }
    }

    internal static unsafe Errno SetXattr(string path, string name, ReadOnlySpan<byte> value, int flags)
    {
        fixed (byte* p = value)
            return Check(lsetxattr(path, name, p, (nuint)value.Length, flags));
    }

    internal static Errno RemoveXattr(string path, string name) => Check(lremovexattr(path, name));

    internal static unsafe Errno ListXattr(string path, List<string> names)
    {
        while (true)
        {
            var size = llistxattr(path, null, 0);
            if (size < 0)
                return LastError();
            if (size == 0)
                return Errno.Success;
            var buffer = new byte[size];
            nint n;
            fixed (byte* p = buffer)
                n = llistxattr(path, p, (nuint)buffer.Length);
            if (n < 0)
            {
                if (LastError() == Errno.ERANGE)
                    continue;
                return LastError();
            }
            foreach (var range in buffer.AsSpan(0, (int)n).Split((byte)0))
            {
                if (range.End.Value > range.Start.Value)
                    names.Add(Encoding.UTF8.GetString(buffer.AsSpan(range)));
            }
            return Errno.Success;
        }
    }

    /// <summary>The names in a directory (no <c>.</c>/<c>..</c>), hidden ones included.</summary>
    internal static Errno ListDirectory(string path, List<string> names)
    {
        try
        {
            var options = new EnumerationOptions
            {
                AttributesToSkip = 0,
                IgnoreInaccessible = false,
                RecurseSubdirectories = false,
                ReturnSpecialDirectories = false,
            };
            var enumerable = new System.IO.Enumeration.FileSystemEnumerable<string>(
                path, (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName.ToString(), options);
            names.AddRange(enumerable);
            return Errno.Success;
        }
        catch (DirectoryNotFoundException)
        {
            return Errno.ENOENT;
        }
        catch (UnauthorizedAccessException)
        {
            return Errno.EACCES;
        }
        catch (IOException e)
        {
            return e.HResult is > 0 and < 4096 ? (Errno)e.HResult : Errno.EIO;
        }
    }

    /// <summary>Removes an entry and, for a directory, everything under it; never follows symlinks.</summary>
    internal static Errno RemoveTree(string path)
    {
        var rc = Lstat(path, out var st);
        if (rc != Errno.Success)
            return rc == Errno.ENOENT ? Errno.Success : rc;
        if (!IsDir(st))
            return Unlink(path);
        var names = new List<string>();
        rc = ListDirectory(path, names);
        if (rc != Errno.Success)
            return rc;
        foreach (var name in names)
        {
            rc = RemoveTree(path + "/" + name);
            if (rc != Errno.Success)
                return rc;
        }
        rc = Rmdir(path);
        return rc == Errno.ENOENT ? Errno.Success : rc;
    }

    /// <summary>Copies <paramref name="length"/> bytes from the current positions (copy_file_range, else a 1 MiB buffer).</summary>
    internal static Errno CopyData(SafeFileHandle source, SafeFileHandle destination, long length)
    {
        long done = 0;
        while (done < length)
        {
            var n = copy_file_range(source, 0, destination, 0, (nuint)Math.Min(length - done, 1L << 30), 0);
            if (n > 0)
            {
                done += n;
                continue;
            }
            if (n == 0)
                return Errno.Success; // source shrank while copying: the copy is what the file now holds
            var error = LastError();
            if (error is Errno.EXDEV or Errno.ENOSYS or Errno.EINVAL or Errno.EOPNOTSUPP)
                return CopyBuffered(source, destination, done);
            if (error != Errno.EINTR)
                return error;
        }
        return Errno.Success;
    }

    private static Errno CopyBuffered(SafeFileHandle source, SafeFileHandle destination, long offset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            while (true)
            {
                var n = RandomAccess.Read(source, buffer, offset);
                if (n == 0)
                    return Errno.Success;
                RandomAccess.Write(destination, buffer.AsSpan(0, n), offset);
                offset += n;
            }
        }
        catch (IOException e)
        {
            return e.HResult is > 0 and < 4096 ? (Errno)e.HResult : Errno.EIO;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static Errno Fsync(SafeFileHandle handle) => Check(fsync(handle));

    /// <summary>True when the two regular files hold the same bytes.</summary>
    internal static bool SameContent(string a, string b)
    {
        if (Open(a, O_RDONLY, 0, out var ha) != Errno.Success)
            return false;
        using (ha)
        {
            if (Open(b, O_RDONLY, 0, out var hb) != Errno.Success)
                return false;
            using (hb)
            {
                var ba = ArrayPool<byte>.Shared.Rent(1 << 16);
                var bb = ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    long offset = 0;
                    while (true)
                    {
                        var na = ReadFully(ha, ba.AsSpan(0, 1 << 16), offset);
                        var nb = ReadFully(hb, bb.AsSpan(0, 1 << 16), offset);
                        if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb)))
                            return false;
                        if (na == 0)
                            return true;
                        offset += na;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(ba);
                    ArrayPool<byte>.Shared.Return(bb);
                }
            }
        }
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}
