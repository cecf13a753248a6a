using System.Reflection;
using System.Runtime.Loader;

namespace PruningLab.Charts;

/// <summary>
/// Lets Plotly.NET 6 (built against FSharp.Core 10.1.0.0) run where another FSharp.Core is already loaded,
/// as in the .NET Interactive kernel (FSharp.Core 10.0.x): requests for any FSharp.Core version are answered
/// with the loaded one. Call <see cref="Install"/> before the first chart is built.
/// </summary>
/// <remarks>This type must not touch FSharp types itself, or calling it would trigger the failing load.</remarks>
public static class FSharpCoreRedirect
{
    private const string FSharpCore = "FSharp.Core";
    private static int _installed;

    /// <summary>Whether the resolver is registered.</summary>
    public static bool IsInstalled => Volatile.Read(ref _installed) == 1;

    /// <summary>
    /// Registers the resolver on <see cref="AssemblyLoadContext.Default"/>. Safe to call repeatedly
    /// and from several threads: only the first call registers it.
    /// </summary>
    /// <returns>true if this call installed the resolver; false if it was already installed.</returns>
    public static bool Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return false;
        AssemblyLoadContext.Default.Resolving += (_, name) => TryResolve(name);
        return true;
    }

    /// <summary>The resolution rule: an already-loaded FSharp.Core for any FSharp.Core request, otherwise null.</summary>
    /// <param name="requested">The assembly the runtime failed to find.</param>
    public static Assembly? TryResolve(AssemblyName requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (!string.Equals(requested.Name, FSharpCore, StringComparison.OrdinalIgnoreCase)) return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => string.Equals(a.GetName().Name, FSharpCore, StringComparison.OrdinalIgnoreCase));
    }
}
