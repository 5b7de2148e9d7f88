// Stub: the serving agent's helper writes kiln-serve's command line here.
int main()
{
    return 1;
}
