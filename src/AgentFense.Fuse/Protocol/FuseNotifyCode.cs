namespace AgentFense.Fuse.Protocol;

/// <summary>enum fuse_notify_code (include/uapi/linux/fuse.h): carried in fuse_out_header.error of a notification.</summary>
internal enum FuseNotifyCode
{
    Poll = 1,
    InvalInode = 2,
    InvalEntry = 3,
    Store = 4,
    Retrieve = 5,
    Delete = 6,
    Resend = 7,
}
