/* Tries the sockets a box without CAP_NET_RAW must not get; prints "name errno" per attempt (0 = got one). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>

static void attempt(const char *name, int domain, int type, int protocol)
{
    int fd = socket(domain, type, protocol);
    printf("%s %d\n", name, fd < 0 ? errno : 0);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    attempt("inet-raw-icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP);
    attempt("inet-raw-tcp", AF_INET, SOCK_RAW, IPPROTO_TCP);
    attempt("packet-raw", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    return 0;
}
