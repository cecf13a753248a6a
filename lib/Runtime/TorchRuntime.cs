using System.Runtime.InteropServices;

namespace PruningLab.Runtime;

/// <summary>
/// Makes TorchSharp load the course's own libtorch 2.10 on any Linux host, with no manual step:
/// <list type="number">
/// <item>TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> was linked on a newer system and declares a need for
/// <c>GLIBCXX_3.4.32</c>, which Debian 12 / Ubuntu 22.04 lack, although nothing it calls needs that version.
/// Where the system's libstdc++ lacks such a version, the need is marked weak in the copy that is loaded
/// (see <see cref="ElfVersionNeeds"/>); the system's libraries are never touched.</item>
/// <item>Hosts without a deps.json (notebook kernels) let TorchSharp <c>dlopen("libtorch_cpu.so")</c> by bare name,
/// which picks any other libtorch on the system path (Debian's python3-torch ships 1.13). Loading libc10,
/// libtorch_cpu, libtorch and libLibTorchSharp by absolute path first makes every later probe find ours.</item>
/// </list>
/// Runs automatically when the library is first used; <see cref="EnsureLoaded"/> may be called any time.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The libtorch version TorchSharp 0.107.0 is built against.</summary>
    public const string LibTorchVersion = "2.10.0";

    private const string BindingLibrary = "libLibTorchSharp.so";
    private static readonly string[] LoadOrder = ["libc10.so", "libtorch_cpu.so", "libtorch.so", BindingLibrary];
    private static readonly object Gate = new();
    private static bool loaded;
    private static readonly List<string> log = [];

    /// <summary>The one-time notice when this process marked a libstdc++ version need weak; null otherwise.</summary>
    public static string? Notice { get; private set; }

    /// <summary>What the last <see cref="EnsureLoaded"/> did: files patched and libraries loaded, in order.</summary>
    public static IReadOnlyList<string> Log { get { lock (Gate) return log.ToList(); } }

    /// <summary>Patches (where needed) and loads the course's libtorch. Idempotent and thread-safe.</summary>
    /// <exception cref="DllNotFoundException">The TorchSharp natives cannot be found or loaded; the message says why and what to do.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded || !OperatingSystem.IsLinux()) return;   // Other systems: TorchSharp's own loader (see README).
            var paths = LoadOrder.ToDictionary(name => name, FindNative);
            var binding = paths[BindingLibrary]
                ?? throw new DllNotFoundException($"{BindingLibrary} was not found next to TorchSharp.dll nor in the NuGet cache. Run 'dotnet build' (or 'dotnet restore') in the course folder, then restart.");
            // Said once: only the run that changes the file reports it (later loads find the need already weak).
            var patched = LibStdCxx.MissingVersionsFor(binding)
                .Where(version => ElfVersionNeeds.WeakenFile(binding, LibStdCxx.SoName, version)).ToList();
            if (patched.Count > 0)
            {
                Notice = $"This system's C++ runtime (libstdc++) is older than the one TorchSharp was built with: it lacks " +
                         $"{string.Join(", ", patched)}, which TorchSharp lists but never uses. PruningLab marked that requirement " +
                         $"optional in its own copy, {binding}, once. Nothing to do.";
                log.Add(Notice);
                // A notebook shows the notice calmly in the set-up cell's output (NotebookSetup); elsewhere it goes to stderr.
                if (!Notebooks.InteractiveKernel.IsLoaded) Console.Error.WriteLine("PruningLab note: " + Notice);
            }
            foreach (var name in LoadOrder)
            {
                var path = paths[name];
                if (path is null) continue;   // libtorch files missing beside the binding: TorchSharp resolves them itself.
                try
                {
                    NativeLibrary.Load(path);
                }
                catch (DllNotFoundException error)
                {
                    throw new DllNotFoundException($"Could not load {path}: {error.Message}. See README, 'Troubleshooting: TorchSharp does not load'.", error);
                }
                log.Add($"loaded {path}");
            }
            loaded = true;
        }
    }

    /// <summary>
    /// Runs <see cref="EnsureLoaded"/> and, instead of throwing, writes one line to standard error on failure:
    /// used where an exception would be unreadable (module initialisation).
    /// </summary>
    internal static void TryEnsureLoaded()
    {
        try { EnsureLoaded(); }
        catch (Exception error) { Console.Error.WriteLine($"PruningLab: could not prepare TorchSharp's native libraries: {error.Message}"); }
    }

    /// <summary>
    /// The directories where the natives may be, best first: the host's native search directories (deps.json hosts
    /// such as console apps and tests), the folders beside TorchSharp.dll (notebooks, #r), then the NuGet cache.
    /// </summary>
    public static IEnumerable<string> CandidateDirectories()
    {
        var searchDirectories = (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var torchSharp = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        var beside = torchSharp is null ? [] : new[] { torchSharp, Path.Combine(torchSharp, "runtimes", "linux-x64", "native") };
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version;
        var cache = new[]
        {
            Path.Combine(packages, "torchsharp", $"{version?.Major}.{version?.Minor}.{version?.Build}", "runtimes", "linux-x64", "native"),
            Path.Combine(packages, "libtorch-cpu-linux-x64", LibTorchVersion, "runtimes", "linux-x64", "native"),
        };
        return searchDirectories.Concat(beside).Concat(cache).Where(Directory.Exists).Select(Path.GetFullPath).Distinct();
    }

    private static string? FindNative(string name) =>
        CandidateDirectories().Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
