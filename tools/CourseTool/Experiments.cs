using System.Diagnostics;
using PruningLab.Data;
using PruningLab.Experiments;
using PruningLab.Training;

namespace PruningLab.CourseTool;

/// <summary>
/// <c>./course experiments [01|02|03|04|07|08|09] [--seeds 0,1,2]</c>: runs the lessons' experiments for several seeds and stores the
/// results with their provenance under <c>experiments/</c>, for the lessons to show (each recomputes one seed live and
/// compares it with the stored one).
/// </summary>
internal static class Experiments
{
    private sealed record Study(string Name, string Description, Func<CourseData, int, Action<Measurement>, List<Measurement>> Run, Func<Dictionary<string, string>> Settings);

    private static readonly Dictionary<string, Study> Studies = new()
    {
        ["01"] = new("lesson01",
            "Lesson 01: global vs uniform magnitude pruning vs random pruning of LeNet-300-100 on Fashion-MNIST without retraining, " +
            "and half of fc1's neurons by L1, L2 or random scores.",
            (data, seed, onRow) => SparsityStudy.RunSeed(data, seed, onRow), SparsityStudy.Settings),
        ["02"] = new("lesson02",
            "Lesson 02: one-shot, fine-tuned, iterative and gradual magnitude pruning of LeNet-300-100 on Fashion-MNIST at equal budgets; " +
            "the dense control; the fine-tuning rate on validation; pruning too early or too late; too little retraining; " +
            "a large pruned vs a small dense network.",
            (data, seed, onRow) => RetrainingStudy.RunSeed(data, seed, onRow), RetrainingStudy.Settings),
        ["03"] = new("lesson03",
            "Lesson 03: the small VGG on Fashion-MNIST pruned at one granularity at a time (single weights, 3×3 kernels, input channels, " +
            "whole channels removed, 2:4) in conv2–conv5 by magnitude, BatchNorm recalibrated, no retraining; fine-grained without recalibration; " +
            "fine-grained 50 % and 2:4 after the same one-epoch fine-tune.",
            (data, seed, onRow) => GranularityStudy.RunSeed(data, seed, onRow), GranularityStudy.Settings),
        ["04"] = new("lesson04",
            "Lesson 04: the small VGG on Fashion-MNIST with 30 % and 50 % of every convolution's channels removed (lowest L2 filter norm), " +
            "before and after a short fine-tune, and the 50 % slim architecture trained from scratch for the same total epochs.",
            (data, seed, onRow) => ChannelStudy.RunSeed(data, seed, onRow), ChannelStudy.Settings),
        ["07"] = new("lesson07",
            "Lessons 05–07: LeNet-300-100 on Fashion-MNIST pruned by magnitude, at random, by first-order Taylor |w·g|, by Optimal Brain Damage " +
            "(empirical Fisher and Hutchinson diagonals) and by layer-wise Optimal Brain Surgeon, one threshold across layers or the same share of " +
            "every layer, one-shot and after the same one-epoch fine-tune.",
            (data, seed, onRow) => SaliencyStudy.RunSeed(data, seed, onRow), SaliencyStudy.Settings),
        ["08"] = new("lesson08",
            "Lesson 08: LeNet-300-100 on Fashion-MNIST pruned (lesson 02's one-shot + fine-tune) and quantized — linear per tensor and per channel, " +
            "k-means with and without centroid fine-tuning — at 8 to 2 bits, every model's bits counted; prune → quantize vs quantize → prune; " +
            "data-free magnitude vs layer-wise OBS by calibration images; the Deep Compression pipeline (gradual pruning, k-means, Huffman).",
            (data, seed, onRow) => QuantizationStudy.RunSeed(data, seed, onRow), QuantizationStudy.Settings),
    };

    public static int Run(string[] args)
    {
        var named = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !a.Contains(',')).ToList();
        var seeds = Option(args, "--seeds")?.Split(',').Select(int.Parse).ToArray() ?? [0, 1, 2];
        var unknown = named.Where(n => !Studies.ContainsKey(n) && n != Capstone).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Unknown experiment {string.Join(", ", unknown)}. Available: {string.Join(", ", Studies.Keys)}, {Capstone} (none: all).");
            return 2;
        }
        if (seeds.Length < 3) Console.Error.WriteLine($"Note: {seeds.Length} seed(s); the lessons expect at least 3 for mean ± sd.");
        using var data = CourseData.FashionMnist();
        foreach (var key in named.Count > 0 ? named : [.. Studies.Keys, Capstone])
            if (key == Capstone) RunCapstone(data, seeds);
            else RunStudy(key, Studies[key], data, seeds);
        return 0;
    }

    private const string Capstone = "09";

    // The capstone's comparison table: saved after every row, so that a stopped run resumes where it stopped.
    private static void RunCapstone(CourseData data, int[] seeds)
    {
        var clock = Stopwatch.StartNew();
        var path = CapstoneStudy.StoredPath;
        var table = File.Exists(path) ? ComparisonTable.Load(path) : new ComparisonTable();
        var before = table.Rows.Count;
        var started = DateTimeOffset.UtcNow;
        var runIndex = table.Runs.Count;
        void Record()
        {
            table.Description = CapstoneStudy.Describe();
            var run = $"./course experiments {Capstone} --seeds {string.Join(",", seeds)}: {table.Rows.Count - before} new rows in {clock.Elapsed.TotalMinutes:F1} min, " +
                      $"started {started:u}, commit {Commit() ?? "unknown"}; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; " +
                      string.Join(", ", Versions().Select(v => $"{v.Key} {v.Value}"));
            if (table.Runs.Count > runIndex) table.Runs[runIndex] = run;
            else table.Runs.Add(run);
        }
        CapstoneStudy.Run(data, seeds, table, row =>
        {
            Console.Error.WriteLine($"  seed {row.Seed} {row.Model,-32} {row.Method,-10} {row.Mode,-10} {row.Setting,5} → validation {row.Validation:P2}, " +
                                    $"test {row.Test:P2}, sparsity {row.Sparsity:P1}, {row.Ratio:F1}× smaller, {row.SpeedUp:F2}× faster  [{clock.Elapsed:hh\\:mm\\:ss}]");
            Record();
            table.Save(path);
        });
        Record();
        Console.Error.WriteLine($"capstone: {table.Rows.Count - before} new rows ({table.Rows.Count} in all) in {clock.Elapsed.TotalMinutes:F1} min → {table.Save(path)}");
    }

    private static void RunStudy(string key, Study study, CourseData data, int[] seeds)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var rows = new List<Measurement>();
        foreach (var seed in seeds)
        {
            Console.Error.WriteLine($"{study.Name}, seed {seed} (the base model is trained once and cached) …");
            rows.AddRange(study.Run(data, seed, m =>
                Console.Error.WriteLine($"  seed {m.Seed} {m.Method,-36} {m.Setting,8} → validation {m.Validation:P2}, test {m.Test:P2}, sparsity {m.Sparsity:P2}{(m.Bits is { } bits ? $", {bits:N0} bits" : "")}  [{clock.Elapsed:hh\\:mm\\:ss}]")));
        }
        var results = new ExperimentResults(study.Name, study.Description,
            new Provenance($"./course experiments {key} --seeds {string.Join(",", seeds)}", seeds, study.Settings(), Versions(),
                $"{Environment.ProcessorCount} cores, {TorchSharp.torch.get_num_threads()} threads, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
                started, Math.Round(clock.Elapsed.TotalSeconds), Commit()),
            rows);
        Console.Error.WriteLine($"{study.Name}: {rows.Count} measurements in {clock.Elapsed.TotalMinutes:F1} min → {results.Save()}");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static Dictionary<string, string> Versions() => new()
    {
        ["PruningLab cache version"] = CacheKey.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TorchSharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
        ["libtorch"] = Runtime.TorchRuntime.LibTorchVersion,
        [".NET"] = Environment.Version.ToString(),
    };

    // The commit the results were computed from, marked when the working tree had other changes than results.
    private static string? Commit()
    {
        var head = Git("rev-parse HEAD");
        if (head is null) return null;
        var changes = Git("status --porcelain --untracked-files=no -- . :(exclude)experiments");
        return string.IsNullOrWhiteSpace(changes) ? head : head + " + uncommitted changes";
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
                { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CoursePaths.Root ?? "." });
            var text = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
