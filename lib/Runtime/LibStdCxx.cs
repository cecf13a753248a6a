namespace PruningLab.Runtime;

/// <summary>Which symbol versions the system's C++ runtime (libstdc++.so.6) provides.</summary>
internal static class LibStdCxx
{
    public const string SoName = "libstdc++.so.6";

    /// <summary>The libstdc++ versions that <paramref name="library"/> needs (strongly) and the system lacks.</summary>
    public static IReadOnlyList<string> MissingVersionsFor(string library)
    {
        var system = SystemPath();
        if (system is null) return [];   // No readable libstdc++: let the loader report what is wrong.
        var defined = ElfVersionNeeds.ReadDefinedVersions(system);
        return ElfVersionNeeds.Read(library)
            .Where(need => need.File == SoName && !need.IsWeak && !defined.Contains(need.Version))
            .Select(need => need.Version)
            .ToList();
    }

    /// <summary>The path of the libstdc++ this process uses (the .NET host loads it), else the usual locations.</summary>
    public static string? SystemPath()
    {
        try
        {
            var mapped = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[^1]).StartsWith(SoName, StringComparison.Ordinal))
                .Select(fields => fields[^1])
                .FirstOrDefault(File.Exists);
            if (mapped is not null) return mapped;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu" }
            .Select(dir => Path.Combine(dir, SoName)).FirstOrDefault(File.Exists);
    }
}
