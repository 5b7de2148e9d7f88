// Stub: the benchmark helper writes it.
int main()
{
    return 0;
}
