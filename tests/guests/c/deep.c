/* A deep recursion for the debugger's stack benchmark: deep_sum(n) calls
 * itself n times before it returns, so a stop at its bottom has n + 1
 * frames of it on the stack, each with its own locals. */

int deep_sum(int n, int acc);

int deep_sum(int n, int acc) {
    int here = acc + n;
    if (n == 0)
        return here;                                // BP: deep_bottom
    return deep_sum(n - 1, here);
}
