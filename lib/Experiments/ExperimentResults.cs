using System.Text.Json;
using System.Text.Json.Serialization;

namespace PruningLab.Experiments;

/// <summary>Where results came from: enough to rerun them and to judge whether they apply.</summary>
/// <param name="Command">The command that produced them, e.g. <c>./course experiments 02</c>.</param>
/// <param name="Seeds">The seeds run.</param>
/// <param name="Settings">Every setting of the study, by name.</param>
/// <param name="Versions">Library and runtime versions.</param>
/// <param name="Machine">Processor count, OS and threads.</param>
/// <param name="Started">When the run started (UTC).</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Commit">The git commit of the course, if known.</param>
public sealed record Provenance(string Command, IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Versions, string Machine, DateTimeOffset Started, double Seconds, string? Commit);

/// <summary>
/// The stored results of a multi-seed experiment (<c>experiments/&lt;name&gt;.json</c>, under version control): written
/// only by <c>./course experiments</c>, never by hand, and read by the lessons, which recompute one seed live and
/// compare it with <see cref="CompareLive"/>.
/// </summary>
/// <param name="Name">The file's name, e.g. <c>lesson02</c>.</param>
/// <param name="Description">What the experiment measures.</param>
/// <param name="Provenance">Where the numbers came from.</param>
/// <param name="Measurements">One row per method, setting and seed.</param>
public sealed record ExperimentResults(string Name, string Description, Provenance Provenance, IReadOnlyList<Measurement> Measurements)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The folder of stored results: <c>experiments/</c> in the clone.</summary>
    public static string Folder => Path.Combine(CoursePaths.Root ?? Environment.CurrentDirectory, "experiments");

    /// <summary>Loads <c>experiments/<paramref name="name"/>.json</c>.</summary>
    /// <exception cref="FileNotFoundException">Not there: the message says which command makes it.</exception>
    public static ExperimentResults Load(string name)
    {
        var path = Path.Combine(Folder, name + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No stored results at {path}. They come with the course; to recompute them run ./course experiments (takes a while).", path);
        return JsonSerializer.Deserialize<ExperimentResults>(File.ReadAllText(path), Json)
               ?? throw new InvalidDataException($"{path} is empty.");
    }

    /// <summary>Writes the results as indented JSON, atomically.</summary>
    public string Save(string? path = null) => AtomicFile.WriteAllText(path ?? Path.Combine(Folder, Name + ".json"), JsonSerializer.Serialize(this, Json));

    /// <summary>The rows of one method, by setting then seed.</summary>
    public IReadOnlyList<Measurement> Of(string method) =>
        Measurements.Where(m => m.Method == method).OrderBy(m => m.Setting).ThenBy(m => m.Seed).ToList();

    /// <summary>The settings a method was measured at, in order.</summary>
    public IReadOnlyList<double> Settings(string method) => Of(method).Select(m => m.Setting).Distinct().ToList();

    /// <summary>The spread over seeds of the test accuracy (or of <paramref name="value"/>) of one method at one setting.</summary>
    /// <exception cref="KeyNotFoundException">Nothing was measured there: the message lists what was.</exception>
    public Spread Spread(string method, double setting, Func<Measurement, double>? value = null)
    {
        var rows = Of(method).Where(m => Same(m.Setting, setting)).ToList();
        if (rows.Count == 0)
            throw new KeyNotFoundException($"'{Name}' has no '{method}' at {setting}. Methods: {string.Join(", ", Measurements.Select(m => m.Method).Distinct())}; " +
                                           $"settings of '{method}': {string.Join(", ", Settings(method))}.");
        return Experiments.Spread.Of(rows.Select(value ?? (m => m.Test)));
    }

    /// <summary>
    /// One chart series: per setting of <paramref name="method"/>, the mean and sd over seeds of <paramref name="value"/>
    /// (the test accuracy in points by default), with x = the setting × <paramref name="xScale"/>, or the mean of
    /// <paramref name="x"/> over the seeds when given (e.g. the sparsity reached, where the setting is something else).
    /// </summary>
    public IReadOnlyList<(double X, double Mean, double Sd)> Curve(string method, Func<Measurement, double>? value = null, double xScale = 100,
        Func<Measurement, double>? x = null)
    {
        value ??= m => m.Test * 100;
        return Settings(method).Select(s => Spread(method, s, value) is var spread
            ? (x is null ? s * xScale : Spread(method, s, x).Mean, spread.Mean, spread.Sd) : default).ToList();
    }

    /// <summary>The test accuracy (or <paramref name="value"/>) of one seed's row of <paramref name="method"/> at <paramref name="setting"/>, e.g. its dense model.</summary>
    public double Of(string method, double setting, int seed, Func<Measurement, double>? value = null)
    {
        var row = Measurements.FirstOrDefault(m => m.Method == method && Same(m.Setting, setting) && m.Seed == seed)
                  ?? throw new KeyNotFoundException($"'{Name}' has no '{method}' at {setting} for seed {seed}.");
        return (value ?? (m => m.Test))(row);
    }

    /// <summary>
    /// The paired difference <paramref name="a"/> − <paramref name="b"/> of the test accuracy (or <paramref name="value"/>),
    /// seed by seed, at <paramref name="setting"/>: the right comparison when both start from the same base model, since
    /// it removes the spread between base models. Also returns on how many seeds <paramref name="a"/> was higher.
    /// </summary>
    public (Spread Difference, int Higher) Paired(string a, string b, double setting, Func<Measurement, double>? value = null, double? settingOfB = null)
    {
        value ??= m => m.Test;
        var differences = Seeds.Select(seed => Of(a, setting, seed, value) - Of(b, settingOfB ?? setting, seed, value)).ToList();
        return (Experiments.Spread.Of(differences), differences.Count(d => d > 0));
    }

    /// <summary>The seeds measured, in order.</summary>
    public IReadOnlyList<int> Seeds => Measurements.Select(m => m.Seed).Distinct().Order().ToList();

    /// <summary>
    /// Compares measurements made now with the stored ones of the same method, setting and seed, prints one line
    /// (✓ when every accuracy is within <paramref name="tolerance"/>, absolute, of the stored value) and returns
    /// the largest difference. Different CPUs round differently in the last bits, and training amplifies that a little.
    /// </summary>
    public double CompareLive(IEnumerable<Measurement> live, double tolerance) =>
        LiveVsStored.Compare($" ({Name})", "measurements", live,
            m => Measurements.FirstOrDefault(s => s.Method == m.Method && Same(s.Setting, m.Setting) && s.Seed == m.Seed),
            m => (m.Validation, m.Test), m => $"{m.Method} at {m.Setting}", tolerance);

    private static bool Same(double a, double b) => Math.Abs(a - b) < 1e-9;
}
