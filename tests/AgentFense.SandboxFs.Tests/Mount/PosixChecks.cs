namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>
/// A POSIX conformance suite of our own, reusable against any directory (go-fuse's posixtest idea): each
/// check is a shell script run in an empty working directory that prints what it observes (exit codes,
/// modes, owners, relations between times), never absolute values that differ between filesystems. The
/// suite passes on a filesystem when every check prints the same as on a native directory.
/// </summary>
internal static class PosixChecks
{
    /// <summary>Checks run as root.</summary>
    public static readonly (string Name, string Script)[] AsRoot =
    [
        ("create-umask", "umask 022; echo a > f; stat -c '%a %s %h' f; umask 077; mkdir d; stat -c '%a' d"),
        ("exclusive-create", "echo a > f; set -C; (echo b > f) 2>/dev/null; echo $?; cat f"),
        ("append", "echo a > f; echo b >> f; cat f; stat -c %s f"),
        ("truncate", "printf 0123456789 > f; truncate -s 4 f; cat f; echo; truncate -s 8 f; stat -c %s f; od -An -c f | tr -s ' '"),
        ("chmod", "touch f; chmod 4751 f; stat -c %a f; chmod u-s,o+w f; stat -c %a f"),
        ("chown", "touch f; chown 1234:4321 f; stat -c '%u %g' f; chown 0 f; stat -c '%u %g' f"),
        ("mkdir-rmdir", "mkdir -p a/b/c; rmdir a 2>/dev/null; echo $?; rmdir a/b/c a/b a; echo $?; ls"),
        ("unlink-dir", "mkdir d; rm d 2>/dev/null; echo $?; touch f; rmdir f 2>/dev/null; echo $?"),
        ("nlink", "mkdir d; stat -c %h d; mkdir d/x d/y; stat -c %h d; touch f; ln f g; stat -c %h f g; rm g; stat -c %h f"),
        ("hardlink-content", "echo one > f; ln f g; echo two >> g; cat f; [ f -ef g ] && echo same-inode"),
        ("symlink", "echo t > target; ln -s target l; readlink l; cat l; ln -s missing dangling; cat dangling 2>/dev/null; echo $?; stat -c %F l"),
        ("rename-file", "echo a > f; mv f g; ls; cat g; echo b > h; mv g h; cat h; ls"),
        ("rename-dir", "mkdir -p d/sub; echo x > d/sub/f; mv d e; cat e/sub/f; ls"),
        ("rename-dir-over-nonempty", "mkdir a b; touch b/x; mv -T a b 2>/dev/null; echo $?; mkdir c; mv -T a c; echo $?; ls"),
        ("rename-noreplace", "echo a > f; echo b > g; mv -n f g; cat g; ls"),
        ("rename-exchange", "echo a > f; echo b > g; mv --exchange f g 2>/dev/null && cat f g || echo no-exchange"),
        ("times-write", "echo a > f; touch -d '2001-01-01' f; stat -c %Y f; sleep 0.01; echo b >> f; [ $(stat -c %Y f) -gt 978307200 ] && echo mtime-updated"),
        ("times-chmod", "touch f; touch -d '2001-01-01' f; c1=$(stat -c %Z f); sleep 1.1; chmod 600 f; [ $(stat -c %Z f) -gt $c1 ] && echo ctime-updated; stat -c %Y f"),
        ("times-set", "touch -d '2010-05-06 07:08:09' f; stat -c '%Y %X' f; touch -m -d '2011-01-01' f; stat -c '%Y %X' f"),
        ("dir-times", "mkdir d; touch -d '2001-01-01' d; touch d/f; [ $(stat -c %Y d) -gt 978307200 ] && echo dir-mtime-updated"),
        ("readdir", "mkdir d; for i in 1 2 3 4 5 6 7 8 9 10; do touch d/f$i; done; ls -a d | sort | tr '\\n' ' '"),
        ("large-readdir", "mkdir d; i=0; while [ $i -lt 600 ]; do : > d/entry-with-a-long-name-$i; i=$((i+1)); done; ls d | wc -l"),
        ("fifo", "mkfifo p; stat -c %F p"),
        ("xattr", "touch f; setfattr -n user.k -v v f && getfattr --only-values -n user.k f; echo; setfattr -x user.k f; getfattr -n user.k f 2>/dev/null; echo $?"),
        ("sparse-read", "printf abc > f; truncate -s 100000 f; dd if=f bs=1 skip=99998 count=2 2>/dev/null | od -An -c | tr -s ' '"),
        ("big-file", "head -c 3000000 /dev/zero | tr '\\0' 'x' > f; stat -c %s f; md5sum < f"),
        ("dot-entries", "mkdir d; cd d; ls -a | tr '\\n' ' '; cd ..; [ d/. -ef d ] && echo dot-ok"),
        ("setgid-dir", "mkdir d; chown 0:4321 d; chmod 2775 d; touch d/f; mkdir d/sub; stat -c '%g' d/f; stat -c '%a %g' d/sub"),
    ];

    /// <summary>Checks run as an unprivileged user in a directory the user can write (owned by root, mode 1777).</summary>
    public static readonly (string Name, string Script)[] AsUser =
    [
        ("owner-of-new", "echo a > f; mkdir d; stat -c '%U %G' f d"),
        ("root-file-not-writable", "echo x > ../rootfile 2>/dev/null; echo $?; cat ../rootfile"),
        ("root-dir-no-create", "touch ../rootdir/x 2>/dev/null; echo $?"),
        ("chmod-own", "touch f; chmod 600 f; stat -c %a f; chmod 644 ../rootfile 2>/dev/null; echo $?"),
        ("chown-refused", "touch f; chown 0 f 2>/dev/null; echo $?"),
        ("sticky-dir", "rm -f ../sticky/rootowned 2>/dev/null; echo $?; touch ../sticky/mine; rm ../sticky/mine; echo $?"),
        ("no-read-permission", "cat ../secretfile 2>/dev/null; echo $?"),
        ("no-search-permission", "ls ../closeddir/inner 2>/dev/null; echo $?; cat ../closeddir/inner/f 2>/dev/null; echo $?"),
        ("trunc-needs-write", "truncate -s 0 ../rootfile 2>/dev/null; echo $?; stat -c %s ../rootfile"),
        ("utime-other", "touch ../rootfile 2>/dev/null; echo $?; touch -d '2001-01-01' ../rootfile 2>/dev/null; echo $?"),
    ];

    /// <summary>The shared tree the user checks look at, made by root one level above the work directories.</summary>
    public const string UserFixture =
        "echo root > rootfile; chmod 644 rootfile; mkdir rootdir; chmod 755 rootdir; " +
        "mkdir sticky; chmod 1777 sticky; echo r > sticky/rootowned; chmod 666 sticky/rootowned; " +
        "echo s > secretfile; chmod 600 secretfile; mkdir -p closeddir/inner; echo f > closeddir/inner/f; chmod 700 closeddir";
}
