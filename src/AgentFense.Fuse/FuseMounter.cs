using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Fuse;

/// <summary>
/// Makes and removes FUSE mounts: mount(2) on a /dev/fuse descriptor as root (man 8 mount.fuse3 lists the
/// fd/rootmode/user_id/group_id options), or the setuid fusermount3 helper, which mounts and passes the
/// descriptor back over a socketpair named by _FUSE_COMMFD (one byte + SCM_RIGHTS, as libfuse does).
/// </summary>
internal static unsafe class FuseMounter
{
    private const int ONonBlock = 0x800; // O_NONBLOCK, include/uapi/asm-generic/fcntl.h
    private const uint SIfDir = 0x4000;  // S_IFDIR, for rootmode (octal 40000)

    public static FuseSession MountKernel(FuseServer server, string mountPoint, IFuseFileSystem fs, MountOptions options)
    {
        var device = File.OpenHandle("/dev/fuse", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        SetNonBlocking(device);
        string data = KernelOptions((int)device.DangerousGetHandle(), options, Interop.Libc.getuid(), Interop.Libc.getgid());
        ulong flags = Interop.Libc.MS_NOSUID | Interop.Libc.MS_NODEV | (options.ReadOnly ? Interop.Libc.MS_RDONLY : 0);
        string type = "fuse." + options.Subtype;
        if (Interop.Libc.mount(options.FsName, mountPoint, type, flags, data) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw FuseErrors.IOException($"mount(\"{options.FsName}\", \"{mountPoint}\", \"{type}\", 0x{flags:x}, \"{data}\")", errno);
        }
        // Only now into the epoll set: an unattached /dev/fuse polls as EPOLLERR and reads EPERM, which would end
        // the session before mount(2) attached it. INIT is already queued, so the first event delivers it.
        return StartSession(new FuseSession(server, mountPoint, fs, options, device, viaFusermount: false));
    }

    private static FuseSession StartSession(FuseSession session)
    {
        try
        {
            session.Start();
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return session;
    }

    /// <summary>The data string for mount(2); internal for tests.</summary>
    internal static string KernelOptions(int fd, MountOptions options, uint uid, uint gid)
    {
        var data = $"fd={fd},rootmode={Convert.ToString(SIfDir, 8)},user_id={uid},group_id={gid}";
        if (options.AllowOther)
            data += ",allow_other";
        if (options.DefaultPermissions)
            data += ",default_permissions";
        return data;
    }

    /// <summary>The -o string for fusermount3, which adds fd, rootmode, user_id and group_id itself.</summary>
    internal static string FusermountOptions(MountOptions options)
    {
        if (options.FsName.Contains(',') || options.Subtype.Contains(','))
            throw new ArgumentException("fsname and subtype must not contain ','");
        var opts = $"fsname={options.FsName},subtype={options.Subtype},nosuid,nodev";
        if (options.AllowOther)
            opts += ",allow_other";
        if (options.DefaultPermissions)
            opts += ",default_permissions";
        if (options.ReadOnly)
            opts += ",ro";
        return opts;
    }

    public static FuseSession MountFusermount(FuseServer server, string mountPoint, IFuseFileSystem fs, MountOptions options)
    {
        string helper = FindFusermount();
        int* sv = stackalloc int[2];
        if (Interop.Libc.socketpair(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_STREAM | Interop.Libc.SOCK_CLOEXEC, 0, sv) != 0)
            throw FuseErrors.IOException("socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC)", Marshal.GetLastPInvokeError());
        using var ours = new SafeFileHandle(sv[0], ownsHandle: true);
        var theirs = new SafeFileHandle(sv[1], ownsHandle: true);
        try
        {
            // Only the helper's end is inherited; ours stays close-on-exec.
            if (Interop.Libc.fcntl(theirs, Interop.Libc.F_SETFD, 0) != 0)
                throw FuseErrors.IOException($"fcntl({sv[1]}, F_SETFD, 0)", Marshal.GetLastPInvokeError());
            var psi = new ProcessStartInfo(helper)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add(FusermountOptions(options));
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(mountPoint);
            psi.Environment["_FUSE_COMMFD"] = sv[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var process = Process.Start(psi) ?? throw new IOException($"cannot start {helper}");
            theirs.Dispose();
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new IOException($"{helper} -o {FusermountOptions(options)} -- {mountPoint} exited with {process.ExitCode}: {stderr.Trim()}");
        }
        finally
        {
            theirs.Dispose();
        }
        // The helper has exited after sending, so the message is already queued: recvmsg cannot block here.
        var device = ReceiveFd(ours, mountPoint);
        SetNonBlocking(device);
        return StartSession(new FuseSession(server, mountPoint, fs, options, device, viaFusermount: true));
    }

    private static SafeFileHandle ReceiveFd(SafeFileHandle socket, string mountPoint)
    {
        byte data = 0;
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var iov = new Interop.Libc.iovec_t { iov_base = &data, iov_len = 1 };
        var msg = new Interop.Libc.msghdr_t
        {
            msg_iov = &iov,
            msg_iovlen = 1,
            msg_control = control,
            msg_controllen = (nuint)(sizeof(Interop.Libc.cmsghdr_t) + 8), // CMSG_SPACE(sizeof(int))
        };
        nint n = Interop.Libc.recvmsg(socket, &msg, Interop.Libc.MSG_CMSG_CLOEXEC);
        if (n < 0)
            throw FuseErrors.IOException("recvmsg(_FUSE_COMMFD socket)", Marshal.GetLastPInvokeError());
        var cmsg = (Interop.Libc.cmsghdr_t*)control;
        if (n == 0 || msg.msg_controllen < (nuint)sizeof(Interop.Libc.cmsghdr_t) ||
            cmsg->cmsg_level != Interop.Libc.SOL_SOCKET || cmsg->cmsg_type != Interop.Libc.SCM_RIGHTS)
            throw new IOException($"fusermount3 mounted {mountPoint} but sent no /dev/fuse descriptor");
        int fd = *(int*)(control + sizeof(Interop.Libc.cmsghdr_t));
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static void SetNonBlocking(SafeFileHandle device)
    {
        int flags = Interop.Libc.fcntl(device, Interop.Libc.F_GETFL, 0);
        if (flags < 0 || Interop.Libc.fcntl(device, Interop.Libc.F_SETFL, flags | ONonBlock) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw FuseErrors.IOException($"fcntl(/dev/fuse, F_SETFL, O_NONBLOCK)", errno);
        }
    }

    internal static string FindFusermount()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            if (dir.Length == 0)
                continue;
            var candidate = Path.Combine(dir, "fusermount3");
            if (File.Exists(candidate))
                return candidate;
        }
        foreach (var candidate in new[] { "/usr/bin/fusermount3", "/bin/fusermount3" })
        {
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("fusermount3 not found on PATH (apt-get install fuse3)");
    }

    /// <summary>
    /// Unmounts <paramref name="mountPoint"/>: umount2 when we may (root), detaching lazily when it is busy;
    /// fusermount3 -u (then -u -z) otherwise. A mount that is already gone is not an error.
    /// </summary>
    public static bool Unmount(string mountPoint, bool viaFusermount, Action<string>? log)
    {
        if (!viaFusermount || Interop.Libc.geteuid() == 0)
        {
            if (Interop.Libc.umount2(mountPoint, 0) == 0)
                return true;
            int errno = Marshal.GetLastPInvokeError();
            if (errno is (int)Errno.EINVAL or (int)Errno.ENOENT)
                return false; // not a mount point (any more)
            if (Interop.Libc.umount2(mountPoint, Interop.Libc.MNT_DETACH) == 0)
                return true;
            log?.Invoke($"umount2(\"{mountPoint}\", 0) failed: {(Errno)errno}; umount2(MNT_DETACH) failed: {FuseErrors.LastErrno()}");
            return false;
        }
        if (RunFusermount("-u", "-q", mountPoint) == 0 || RunFusermount("-u", "-q", "-z", mountPoint) == 0)
            return true;
        log?.Invoke($"fusermount3 -u -z {mountPoint} failed");
        return false;
    }

    private static int RunFusermount(params string[] args)
    {
        var psi = new ProcessStartInfo(FindFusermount()) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
