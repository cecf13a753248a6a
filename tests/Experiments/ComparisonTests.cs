using PruningLab.Data;
using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Tests.Data;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Experiments;

/// <summary>
/// The capstone's comparison runner on the committed Fashion-MNIST sample and a small MLP 784-16-10: the grid is
/// complete, every row's sparsity and size agree with counts made by hand, the table is its own cache, and its CSV and
/// JSON say the same as the rows.
/// </summary>
public class ComparisonTests
{
    // 784-16-10: fc1 784·16 and fc2 16·10 weights, 16 + 10 biases.
    private const long Weights = 784 * 16 + 16 * 10, Biases = 16 + 10;

    private static PretrainedModel Dense(CourseData data, int seed)
    {
        var model = ModelZoo.Create(ModelZoo.Mlp(16), seed);
        var history = Trainer.Fit(model, data.Train, data.Validation,
            new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = seed, Progress = ProgressDisplay.None });
        return new PretrainedModel(model, history, "", FromCache: false, Key: $"comparison-test-mlp16-seed{seed}");
    }

    private static TrainingOptions FineTune(int seed) =>
        new() { Epochs = 1, BatchSize = 64, Seed = seed, Optimizer = OptimizerSettings.Sgd(0.01, momentum: 0.9), Progress = ProgressDisplay.None };

    private sealed class Counting
    {
        public int Calls;
        public CompressionMethod Method => CompressionMethod.Unstructured("counted magnitude", "|w|, global, counted",
            (masks, _, _, s) => { Calls++; masks.Prune(Scope.Global(s), Importance.Magnitude); });
    }

    [Fact]
    public void The_grid_is_complete_sizes_match_hand_counts_and_the_table_is_its_own_cache()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        var counting = new Counting();
        ComparisonModel spec = new(Dense, [(counting.Method, [0.5, 0.8]), (CompressionMethods.Channels, [0.5])], FineTune);
        var seen = new List<ComparisonRow>();
        var table = Comparison.Run(data, [spec], seeds: [0, 1], table: null, onRow: seen.Add, progress: TextWriter.Null, cache: false, latencyRepeats: 3);

        Assert.Equal(2 * 3 * 2, table.Rows.Count);   // seeds × settings × modes
        Assert.Equal(table.Rows, seen);
        Assert.Equal(2 * 2 * 2, counting.Calls);     // the unstructured method ran once per seed, setting and mode
        foreach (var row in table.Rows)
        {
            Assert.Equal("mlp-784-16-10", row.Model);
            Assert.Equal(32 * (Weights + Biases), row.DenseBits);
            Assert.InRange(row.Test, 0, 1);
            Assert.True(row.LatencyMs > 0 && row.DenseLatencyMs > 0);
        }
        foreach (var row in table.Rows.Where(r => r.Method == "counted magnitude"))
        {
            // Masks are held while fine-tuning: the sparsity asked for, in both modes.
            var kept = (long)Math.Round((1 - row.Setting) * Weights);
            Assert.Equal(row.Setting, row.Sparsity, 3);
            // Each value costs 32 bits; a bitmask of every position is one format the size may use, so it is a bound.
            Assert.InRange(row.Bits, 32 * (kept + Biases), 32 * (kept + Biases) + Weights);
        }
        foreach (var row in table.Rows.Where(r => r.Method == "channels"))
        {
            // Half of the 16 hidden neurons cut out: 784-8-10, every weight dense, so 32 bits each and half the weights gone.
            Assert.Equal(0.5, row.Sparsity, 10);
            Assert.Equal(32L * (784 * 8 + 8 + 8 * 10 + 10), row.Bits);
        }

        var summary = table.Summary("mlp-784-16-10", "channels", Comparison.FineTuned, 0.5);
        var two = table.Rows.Where(r => r.Method == "channels" && r.Mode == Comparison.FineTuned).Select(r => r.Test).ToArray();
        Assert.Equal(2, summary.Seeds);
        Assert.Equal((two[0] + two[1]) / 2, summary.Test.Mean, 12);
        Assert.Equal(Math.Abs(two[0] - two[1]) / Math.Sqrt(2), summary.Test.Sd, 12);
        Assert.Contains("The table has", Assert.Throws<KeyNotFoundException>(() => table.Summary("mlp-784-16-10", "channels", Comparison.OneShot, 0.3)).Message);

        // Run again with the table: nothing is measured twice.
        var again = Comparison.Run(data, [spec], seeds: [0, 1], table: table, onRow: _ => Assert.Fail("a row was measured again"),
            progress: TextWriter.Null, cache: false);
        Assert.Same(table, again);
        Assert.Equal(2 * 2 * 2, counting.Calls);

        // CSV: a header and one line per configuration, with the summaries' numbers.
        var lines = table.SummaryCsv().TrimEnd('\n').Split('\n');
        Assert.Equal(1 + 6, lines.Length);
        Assert.All(lines, l => Assert.Equal(14, l.Split(',').Length));
        var channelsLine = lines.Single(l => l.StartsWith("mlp-784-16-10,channels,fine-tuned,0.5,", StringComparison.Ordinal)).Split(',');
        Assert.Equal((summary.Test.Mean * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), channelsLine[8]);
        Assert.Equal(1 + 12, table.RowCsv().TrimEnd('\n').Split('\n').Length);

        // JSON round trip.
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "table.json");
        table.Description = "test";
        table.Runs.Add("run 1");
        table.Save(path);
        var loaded = ComparisonTable.Load(path);
        Assert.Equal(table.Rows, loaded.Rows);
        Assert.Equal("test", loaded.Description);
        Assert.Equal(["run 1"], loaded.Runs);
    }

    [Fact]
    public void Every_course_method_reaches_its_setting_one_shot()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        ComparisonModel spec = new(Dense,
        [
            (CompressionMethods.Dense, [0.0]), (CompressionMethods.Random, [0.5]), (CompressionMethods.Magnitude, [0.5]), (CompressionMethods.Taylor, [0.5, 0.8]),
            (CompressionMethods.Obd, [0.5]), (CompressionMethods.Obs, [0.5]), (CompressionMethods.Channels, [0.25]),
        ], FineTune);
        var table = Comparison.Run(data, [spec], seeds: [3], modes: [Comparison.OneShot], progress: TextWriter.Null, cache: false, latencyRepeats: 1);
        Assert.Equal(8, table.Rows.Count);
        foreach (var row in table.Rows)
            Assert.Equal(row.Setting, row.Sparsity, 2);   // 4 of 16 neurons: a quarter of fc1's and of fc2's weights
        // The control keeps everything: its size is the dense fp32 size, every weight and bias at 32 bits.
        Assert.Equal(32 * (Weights + Biases), table.Rows.Single(r => r.Method == "dense").Bits);
        // A data-driven criterion beats random pruning on the network it calibrated on.
        Assert.True(table.Summary("mlp-784-16-10", "Taylor", Comparison.OneShot, 0.5).Validation.Mean
                    > table.Summary("mlp-784-16-10", "random", Comparison.OneShot, 0.5).Validation.Mean);
    }

    [Fact]
    public void Bad_input_gets_a_clear_error()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        ComparisonModel spec = new(Dense, [(CompressionMethods.Magnitude, [0.5])], FineTune);
        Assert.Contains("Unknown mode", Assert.Throws<ArgumentException>(() => Comparison.Run(data, [spec], [0], ["twice"], progress: TextWriter.Null)).Message);
        Assert.Contains("seed", Assert.Throws<ArgumentException>(() => Comparison.Run(data, [spec], [], progress: TextWriter.Null)).Message);
        ComparisonModel full = new(Dense, [(CompressionMethods.Magnitude, [1.0])], FineTune);
        Assert.Contains("outside [0, 1)", Assert.Throws<ArgumentException>(() => Comparison.Run(data, [full], [0], progress: TextWriter.Null)).Message);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "not-a-table.json");
        File.WriteAllText(path, "[1, 2]");
        Assert.Contains("not a comparison table", Assert.Throws<InvalidDataException>(() => ComparisonTable.Load(path)).Message);
        Assert.Contains("./course experiments 09", Assert.Throws<FileNotFoundException>(() => ComparisonTable.Load(Path.Combine(dir.Path, "none.json"))).Message);
    }
}
