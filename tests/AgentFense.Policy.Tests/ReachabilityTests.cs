namespace AgentFense.Policy.Tests;

public class ReachabilityTests
{
    private static PermissionRule G(string p, Permission l, int prio = 0) => new(p, l, PatternType.Glob, prio);

    [Fact]
    public void Decide_DirectoryAboveVisibleFile_IsView()
    {
        var m = PolicyMatcher.Compile([G("src/app/main.py", Permission.Read)]);
        foreach (var dir in new[] { "src", "src/app" })
        {
            var d = m.Decide(dir, isDirectory: true);
            Assert.Equal(Permission.View, d.Permission);
            Assert.Equal(DecisionSource.Reachability, d.Source);
            Assert.Equal(0, d.RuleIndex);
        }
        Assert.Equal(Permission.None, m.Decide("lib", isDirectory: true).Permission);
        Assert.Equal(Permission.None, m.Decide("src/other", isDirectory: true).Permission);
        Assert.Equal(Permission.None, m.Decide("src/app/main.py/x", isDirectory: true).Permission);
    }

    [Fact]
    public void Decide_FileIsNeverRaisedByReachability()
    {
        var m = PolicyMatcher.Compile([G("src/app/main.py", Permission.Read)]);
        Assert.Equal(Permission.None, m.Decide("src", isDirectory: false).Permission);
    }

    [Fact]
    public void Decide_RootIsAlwaysAtLeastView()
    {
        Assert.Equal(Permission.View, PolicyMatcher.Compile([]).Decide("", isDirectory: true).Permission);
        Assert.Equal(Permission.View, PolicyMatcher.Compile([G("a/b", Permission.Read)]).Decide("/", true).Permission);
    }

    [Fact]
    public void Decide_WildcardRuleBeneath_MakesDirectoriesReachable()
    {
        var m = PolicyMatcher.Compile([G("**/*.md", Permission.Read)]);
        Assert.Equal(Permission.View, m.Decide("any/depth/dir", true).Permission);
        var n = PolicyMatcher.Compile([G("docs/*/guide/*.md", Permission.Read)]);
        Assert.Equal(Permission.View, n.Decide("docs/v1", true).Permission);
        Assert.Equal(Permission.View, n.Decide("docs/v1/guide", true).Permission);
        Assert.Equal(Permission.None, n.Decide("docs/v1/other", true).Permission);
    }

    [Fact]
    public void Decide_SubtreeShadowedByHigherNone_StaysInvisible()
    {
        // A read rule reaches into secrets/, but **/secrets/** outranks it and covers the whole subtree.
        var m = PolicyMatcher.Compile([G("**/secrets/**", Permission.None, 100), G("app/secrets/public/*.txt", Permission.Read, 10)]);
        Assert.Equal(Permission.None, m.Decide("app/secrets", true).Permission);
        Assert.Equal(Permission.None, m.Decide("app/secrets/public", true).Permission);
        Assert.Equal(Permission.None, m.DecideByRules("app/secrets/public/a.txt").Permission);
        Assert.Equal(Permission.View, m.Decide("app", true).Permission);
    }

    [Fact]
    public void Decide_HigherRuleInsideShadowedSubtree_IsReachable()
    {
        // The read rule outranks the none rule, so the path is visible and its parents must be reachable.
        var m = PolicyMatcher.Compile([G("**/secrets/**", Permission.None, 100), new PermissionRule("app/secrets/README", Permission.Read, PatternType.File, 200)]);
        Assert.Equal(Permission.Read, m.DecideByRules("app/secrets/README").Permission);
        var d = m.Decide("app/secrets", true);
        Assert.Equal(Permission.View, d.Permission);
        Assert.Equal(DecisionSource.Reachability, d.Source);
        Assert.Equal(Permission.None, m.DecideByRules("app/secrets/other").Permission);
    }

    [Fact]
    public void Decide_PartialNoneRule_DoesNotShadowSubtree()
    {
        // "**/.env*" hides only names starting with .env; a directory named .envs holding files stays reachable.
        var m = PolicyMatcher.Compile(Presets.AgentSafe.Rules);
        var d = m.Decide(".envs", true);
        Assert.Equal(Permission.View, d.Permission);
        Assert.Equal(Permission.Read, m.DecideByRules(".envs/readme.txt").Permission);
    }

    [Fact]
    public void Decide_AgentSafe_GitDirectoryInvisible()
    {
        var m = PolicyMatcher.Compile(Presets.AgentSafe.Rules);
        Assert.Equal(Permission.None, m.Decide(".git", true).Permission);
        Assert.Equal(Permission.None, m.Decide("vendor/lib/.git", true).Permission);
        Assert.Equal(Permission.None, m.Decide("secrets", true).Permission);
    }

    [Fact]
    public void CanReachBeneath_MatchesDecide()
    {
        var m = PolicyMatcher.Compile([G("a/b/c.txt", Permission.Read)]);
        Assert.True(m.CanReachBeneath("a"));
        Assert.True(m.CanReachBeneath("/a/b/"));
        Assert.False(m.CanReachBeneath("a/c"));
    }
}
