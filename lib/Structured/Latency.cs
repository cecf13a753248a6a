using System.Diagnostics;
using PruningLab.Models;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>Measured inference times of one model at one batch size.</summary>
/// <param name="Model">A label.</param>
/// <param name="Batch">Images per forward pass.</param>
/// <param name="Milliseconds">Every timed repeat, in the order measured.</param>
/// <param name="Threads">TorchSharp's intra-op threads during the measurement.</param>
public sealed record LatencyResult(string Model, int Batch, IReadOnlyList<double> Milliseconds, int Threads)
{
    /// <summary>The median time of one forward pass.</summary>
    public double MedianMs => Statistics.Median(Milliseconds);
}

/// <summary>
/// CPU inference latency (lesson 04), measured the way benchmarks should: evaluation mode, no gradients, a fixed
/// number of threads, warm-up passes that are not timed, then the median of many timed passes. Several models are
/// measured in one run, interleaved repeat by repeat, so that a slow moment of the machine hits all of them alike and
/// their ratios are fair.
/// </summary>
public static class Latency
{
    /// <summary>Times each model at each batch size.</summary>
    /// <param name="models">Labelled models; each is put in evaluation mode and restored afterwards.</param>
    /// <param name="batches">Batch sizes, e.g. 1 and 64.</param>
    /// <param name="repeats">Timed passes per model and batch (the median is reported).</param>
    /// <param name="warmUp">Untimed passes first (allocations, caches, lazy initialisation).</param>
    /// <param name="threads">Intra-op threads, fixed for the measurement and restored afterwards.</param>
    public static List<LatencyResult> Measure(IReadOnlyList<(string Label, nn.Module<Tensor, Tensor> Model)> models, IReadOnlyList<int> batches,
        int repeats = 30, int warmUp = 5, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(batches);
        if (repeats < 1 || warmUp < 0 || threads < 1) throw new ArgumentOutOfRangeException(nameof(repeats), "Need at least one repeat and one thread.");
        var previousThreads = get_num_threads();
        var modes = models.Select(m => m.Model.training).ToList();
        set_num_threads(threads);
        var results = new List<LatencyResult>();
        try
        {
            using var noGrad = no_grad();
            foreach (var (_, model) in models) model.eval();
            foreach (var batch in batches)
            {
                var shapes = models.Select(m => (m.Model as ICourseModel)?.InputShape ?? [1, 28, 28]).ToList();
                using var generator = new Generator(1234);
                var inputs = shapes.Select(s => randn([batch, .. s], generator: generator)).ToList();
                var times = models.Select(_ => new List<double>()).ToList();
                for (var r = -warmUp; r < repeats; r++)
                    for (var i = 0; i < models.Count; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        using (var output = models[i].Model.call(inputs[i])) { }
                        if (r >= 0) times[i].Add(clock.Elapsed.TotalMilliseconds);
                    }
                foreach (var input in inputs) input.Dispose();
                results.AddRange(models.Select((m, i) => new LatencyResult(m.Label, batch, times[i], threads)));
            }
        }
        finally
        {
            set_num_threads(previousThreads);
            for (var i = 0; i < models.Count; i++) models[i].Model.train(modes[i]);
        }
        return results;
    }
}
