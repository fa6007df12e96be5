namespace AgentFense.Fuse;

/// <summary>FUSE request opcodes with the kernel's numbers (enum fuse_opcode, include/uapi/linux/fuse.h, protocol 7.43).</summary>
public enum FuseOpcode : uint
{
    /// <summary>FUSE_LOOKUP.</summary>
    Lookup = 1,
    /// <summary>FUSE_FORGET (no reply).</summary>
    Forget = 2,
    /// <summary>FUSE_GETATTR.</summary>
    GetAttr = 3,
    /// <summary>FUSE_SETATTR.</summary>
    SetAttr = 4,
    /// <summary>FUSE_READLINK.</summary>
    ReadLink = 5,
    /// <summary>FUSE_SYMLINK.</summary>
    Symlink = 6,
    /// <summary>FUSE_MKNOD.</summary>
    MkNod = 8,
    /// <summary>FUSE_MKDIR.</summary>
    MkDir = 9,
    /// <summary>FUSE_UNLINK.</summary>
    Unlink = 10,
    /// <summary>FUSE_RMDIR.</summary>
    RmDir = 11,
    /// <summary>FUSE_RENAME.</summary>
    Rename = 12,
    /// <summary>FUSE_LINK.</summary>
    Link = 13,
    /// <summary>FUSE_OPEN.</summary>
    Open = 14,
    /// <summary>FUSE_READ.</summary>
    Read = 15,
    /// <summary>FUSE_WRITE.</summary>
    Write = 16,
    /// <summary>FUSE_STATFS.</summary>
    StatFs = 17,
    /// <summary>FUSE_RELEASE.</summary>
    Release = 18,
    /// <summary>FUSE_FSYNC.</summary>
    Fsync = 20,
    /// <summary>FUSE_SETXATTR.</summary>
    SetXAttr = 21,
    /// <summary>FUSE_GETXATTR.</summary>
    GetXAttr = 22,
    /// <summary>FUSE_LISTXATTR.</summary>
    ListXAttr = 23,
    /// <summary>FUSE_REMOVEXATTR.</summary>
    RemoveXAttr = 24,
    /// <summary>FUSE_FLUSH.</summary>
    Flush = 25,
    /// <summary>FUSE_INIT.</summary>
    Init = 26,
    /// <summary>FUSE_OPENDIR.</summary>
    OpenDir = 27,
    /// <summary>FUSE_READDIR.</summary>
    ReadDir = 28,
    /// <summary>FUSE_RELEASEDIR.</summary>
    ReleaseDir = 29,
    /// <summary>FUSE_FSYNCDIR.</summary>
    FsyncDir = 30,
    /// <summary>FUSE_GETLK.</summary>
    GetLk = 31,
    /// <summary>FUSE_SETLK.</summary>
    SetLk = 32,
    /// <summary>FUSE_SETLKW.</summary>
    SetLkW = 33,
    /// <summary>FUSE_ACCESS.</summary>
    Access = 34,
    /// <summary>FUSE_CREATE.</summary>
    Create = 35,
    /// <summary>FUSE_INTERRUPT (no reply unless EAGAIN).</summary>
    Interrupt = 36,
    /// <summary>FUSE_BMAP.</summary>
    BMap = 37,
    /// <summary>FUSE_DESTROY.</summary>
    Destroy = 38,
    /// <summary>FUSE_IOCTL.</summary>
    Ioctl = 39,
    /// <summary>FUSE_POLL.</summary>
    Poll = 40,
    /// <summary>FUSE_NOTIFY_REPLY (no reply).</summary>
    NotifyReply = 41,
    /// <summary>FUSE_BATCH_FORGET (no reply).</summary>
    BatchForget = 42,
    /// <summary>FUSE_FALLOCATE.</summary>
    Fallocate = 43,
    /// <summary>FUSE_READDIRPLUS.</summary>
    ReadDirPlus = 44,
    /// <summary>FUSE_RENAME2.</summary>
    Rename2 = 45,
    /// <summary>FUSE_LSEEK.</summary>
    Lseek = 46,
    /// <summary>FUSE_COPY_FILE_RANGE.</summary>
    CopyFileRange = 47,
    /// <summary>FUSE_SETUPMAPPING (DAX).</summary>
    SetupMapping = 48,
    /// <summary>FUSE_REMOVEMAPPING (DAX).</summary>
    RemoveMapping = 49,
    /// <summary>FUSE_SYNCFS.</summary>
    SyncFs = 50,
    /// <summary>FUSE_TMPFILE.</summary>
    TmpFile = 51,
    /// <summary>FUSE_STATX (7.39).</summary>
    Statx = 52,
}
