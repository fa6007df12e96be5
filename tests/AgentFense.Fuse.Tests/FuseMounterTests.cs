namespace AgentFense.Fuse.Tests;

public class FuseMounterTests
{
    [Fact]
    public void KernelOptions_AllowOtherAndDefaultPermissions_AppendsBoth()
    {
        var data = FuseMounter.KernelOptions(5, new MountOptions { AllowOther = true, DefaultPermissions = true }, 0, 0);

        Assert.Equal("fd=5,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", data);
    }

    [Fact]
    public void KernelOptions_Defaults_OmitsOptionalFlags()
    {
        Assert.Equal("fd=3,rootmode=40000,user_id=1000,group_id=100", FuseMounter.KernelOptions(3, new MountOptions(), 1000, 100));
    }

    [Fact]
    public void FusermountOptions_ReadOnly_NamesFsAndSubtype()
    {
        var opts = FuseMounter.FusermountOptions(new MountOptions { ReadOnly = true, FsName = "box1" });

        Assert.Equal("fsname=box1,subtype=agentfense,nosuid,nodev,ro", opts);
    }

    [Fact]
    public void Unescape_OctalSpace_Decodes()
    {
        Assert.Equal("/tmp/a b\\c", FuseMounts.Unescape("/tmp/a\\040b\\134c"));
        Assert.Equal("/plain", FuseMounts.Unescape("/plain"));
    }
}
