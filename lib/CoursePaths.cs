namespace PruningLab;

/// <summary>
/// Where the course keeps its files, so that a notebook, a test's bin folder and a console app all share one
/// <c>datasets/</c>, <c>models/cache/</c> and <c>output/</c>. The root is the folder holding <c>Course.sln</c>;
/// <c>PRUNINGLAB_HOME</c> overrides it; outside a clone the caches live under <c>~/.cache/pruninglab</c>.
/// </summary>
public static class CoursePaths
{
    /// <summary>File that marks the repository root.</summary>
    public const string MarkerFile = "Course.sln";

    /// <summary>
    /// The repository root: <c>PRUNINGLAB_HOME</c> if set, else the nearest ancestor of the current directory,
    /// then of <see cref="AppContext.BaseDirectory"/>, that contains <c>Course.sln</c>; null if none.
    /// </summary>
    public static string? Root
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("PRUNINGLAB_HOME");
            if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(home);
            return FindRoot(Environment.CurrentDirectory) ?? FindRoot(AppContext.BaseDirectory);
        }
    }

    /// <summary>The nearest ancestor of <paramref name="start"/> (inclusive) that holds <c>Course.sln</c>, or null.</summary>
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile))) return dir.FullName;
        return null;
    }

    /// <summary>Downloaded datasets, one sub-folder each: <c>datasets/cache</c> in the clone.</summary>
    public static string DatasetCache => Root is { } root ? Path.Combine(root, "datasets", "cache") : Path.Combine(UserCache, "datasets");

    /// <summary>The committed small samples (<c>datasets/sample</c>), or null outside the clone.</summary>
    public static string? SampleRoot => Root is { } root ? Path.Combine(root, "datasets", "sample") : null;

    /// <summary>Trained models reused across lessons: <c>models/cache</c> in the clone.</summary>
    public static string ModelCache => Root is { } root ? Path.Combine(root, "models", "cache") : Path.Combine(UserCache, "models");

    /// <summary>Executed notebooks, charts and reports: <c>output/</c> in the clone (ignored by git), else the current folder's.</summary>
    public static string Output => Path.Combine(Root ?? Environment.CurrentDirectory, "output");

    private static string UserCache => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pruninglab");
}
