namespace PruningLab.Notebooks;

/// <summary>
/// Finds the .NET Interactive kernel's types by name among the loaded assemblies: the library never references the
/// (deprecated) kernel packages, so it works the same in notebooks, console apps and tests.
/// </summary>
internal static class InteractiveKernel
{
    /// <summary>Whether a .NET Interactive kernel runs in this process (a notebook).</summary>
    public static bool IsLoaded =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    /// <summary>The loaded type of that full name (e.g. the kernel's formatter), or null outside a notebook.</summary>
    public static Type? FindType(string fullName) => AppDomain.CurrentDomain.GetAssemblies()
        .Select(a => a.GetType(fullName, throwOnError: false))
        .FirstOrDefault(t => t is not null);
}
