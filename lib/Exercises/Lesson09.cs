using System.Diagnostics;
using PruningLab.Compression;
using PruningLab.Data;
using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Quantization;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// What a learner's compression of the capstone (exercise 9.1) returned, or the exception it threw, with what it used
/// of the library's reference and how long it took. It is made and judged in the exercise's check cell, which may
/// train for minutes. It owns the network it holds (never the dense one).
/// </summary>
public sealed class CompressionAttempt : IDisposable
{
    internal CompressionAttempt(nn.Module<Tensor, Tensor>? model, Exception? error, IReadOnlyCollection<string> used, TimeSpan elapsed) =>
        (Model, Error, Used, Elapsed) = (model, error, used, elapsed);

    /// <summary>The compressed network (null if the function threw or returned the dense network).</summary>
    public nn.Module<Tensor, Tensor>? Model { get; }
    /// <summary>What the function threw, or what it did wrong that could be seen at once (null if nothing).</summary>
    public Exception? Error { get; }
    /// <summary>The library's reference answers it called (see <see cref="ReferenceUse"/>).</summary>
    public IReadOnlyCollection<string> Used { get; }
    /// <summary>How long the function ran.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>Its measurement, once <see cref="Lesson09.Measure"/> has made it, and on which splits.</summary>
    internal (CompressionMeasurement Result, ImageDataset Validation, ImageDataset Test)? Measured { get; set; }
    /// <summary>True when it returned a network without an error.</summary>
    public bool Succeeded => Error is null && Model is not null;

    /// <summary>Frees the network.</summary>
    public void Dispose() => Model?.Dispose();
}

/// <summary>A compressed network measured as the capstone measures every method.</summary>
/// <param name="Architecture">The network's architecture (a small VGG, possibly with channels removed).</param>
/// <param name="Bits">Stored size: each weight tensor in its smallest format, fp32 or as the shared values it holds
/// (codes, Huffman-coded, with a 32-bit codebook); every other parameter fp32.</param>
/// <param name="Ratio">How many times smaller than the dense network in fp32.</param>
/// <param name="Validation">Validation accuracy (0…1).</param>
/// <param name="Test">Test accuracy (0…1).</param>
public sealed record CompressionMeasurement(string Architecture, long Bits, double Ratio, double Validation, double Test);

/// <summary>
/// The capstone's final assignment (exercise 9.1): compress the small VGG, by any method of the course, to at least
/// <see cref="MinRatio"/> times smaller than its dense fp32 form at a test accuracy of at least
/// <see cref="MinTestAccuracy"/>. Both bars sit below what <see cref="Reference"/> reaches on seed 0 (lesson 09 prints
/// it). The check trusts nothing but the returned network's registered parameters: it rebuilds the network from its
/// architecture and parameters, counts its bits from the weights themselves and measures it on a test split the
/// learner's function was not given.
/// </summary>
public static class Lesson09
{
    /// <summary>How many times smaller than dense fp32 the compressed network must be (the reference: 23.5× on seed 0).</summary>
    public const double MinRatio = 20;
    /// <summary>The test accuracy it must keep (the reference: 89.07 % on seed 0; the dense network: about 91 %).</summary>
    public const double MinTestAccuracy = 0.88;

    /// <summary>
    /// Runs the learner's <paramref name="compress"/> (which is to be given the data without its test split) and keeps
    /// what it returned or threw. A changed dense network or test split fails the attempt, and is put back: the
    /// lesson's other cells use them.
    /// </summary>
    public static CompressionAttempt Attempt(PretrainedModel dense, ImageDataset test, Func<nn.Module<Tensor, Tensor>> compress) =>
        Run(dense, test, compress, "Your Compress");

    /// <summary>The reference answer (<see cref="Reference"/>) as an attempt: what the lesson shows until exercise 9.1 passes.</summary>
    public static CompressionAttempt ReferenceAttempt(PretrainedModel dense, CourseData data, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Run(dense, data.Test, () => Reference(dense, data.WithoutTest(), seed), "The reference");
    }

    private static CompressionAttempt Run(PretrainedModel dense, ImageDataset test, Func<nn.Module<Tensor, Tensor>> compress, string who)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(compress);
        var guarded = dense.Model.state_dict().Select(kv => ($"the dense network's {kv.Key}", kv.Value))
            .Append(("the test images", test.Images)).Append(("the test labels", test.Labels)).ToList();
        var before = guarded.Select(g => g.Item2.detach().clone()).ToList();
        var clock = Stopwatch.StartNew();
        nn.Module<Tensor, Tensor>? model = null;
        IReadOnlyCollection<string> used = [];
        Exception? error = null;
        try
        {
            (model, used) = ReferenceUse.Watch(compress);
        }
        catch (Exception thrown)
        {
            error = thrown;
        }
        clock.Stop();
        try
        {
            var changed = guarded.Where((g, i) => !ExerciseCheck.Same(g.Item2, before[i])).Select(g => g.Item1).ToList();
            using (no_grad())
                for (var i = 0; i < guarded.Count; i++) guarded[i].Item2.copy_(before[i]);   // put back what the lesson needs
            if (changed.Count > 0)
                error = ExerciseCheck.LearnerException.Plain($"your code changed {string.Join(", ", changed.Take(3))}; compress a copy (ModelZoo.Copy), and leave the data alone.");
            else if (error is null && model is null) error = ExerciseCheck.LearnerException.Plain("your code returned no network.");
            else if (error is null && ReferenceEquals(model, dense.Model))
                error = ExerciseCheck.LearnerException.Plain("you returned the dense network itself; return a compressed copy.");
        }
        finally
        {
            foreach (var copy in before) copy.Dispose();
        }
        Console.WriteLine(error switch
        {
            null => $"{who} ran in {clock.Elapsed.TotalSeconds:F1} s.",
            NotImplementedException => "Compress is not written yet (exercise 9.1): the lesson goes on with the reference.",
            ExerciseCheck.LearnerException plain => $"{who}: {plain.Message}",
            _ => $"{who} threw {error.GetType().Name}: {error.Message}",
        });
        // The attempt owns what it holds, and so never the dense network.
        if (error is not null && !ReferenceEquals(model, dense.Model)) model?.Dispose();
        return new CompressionAttempt(error is null ? model : null, error, used, clock.Elapsed);
    }

    /// <summary>
    /// The reference answer: the comparison's magnitude pruning at 90 % with its fine-tune (cached), then k-means
    /// weight sharing of the survivors with 31 centroids (5-bit codes), written into a copy. The lesson uses it until
    /// exercise 9.1 passes; the check refuses it as an answer.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Reference(PretrainedModel dense, CourseData data, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        ReferenceUse.Note(ReferenceUse.Capstone);
        using var tuned = Comparison.FineTunedModel(dense, data, CapstoneStudy.Cnn, CompressionMethods.Magnitude, 0.9, seed);
        var model = ModelZoo.Copy(tuned.Model);
        try
        {
            using var codes = ModelQuantization.KMeans(model, 5);   // the shared values are written into the weights
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The stored size of a network counted from its weights alone: each prunable weight tensor in the smallest format,
    /// either as fp32 values or as the shared values it holds (<see cref="WeightSharing.Tabulate"/>: Huffman-coded codes
    /// and a 32-bit codebook); every other parameter fp32.
    /// </summary>
    public static long StoredBits(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var shared = new QuantizedModel();
        foreach (var (name, weight) in MagnitudePruning.PrunableWeights(model))
        {
            var table = WeightSharing.Tabulate(weight);
            if (CompressedSize.Smallest(table, huffman: true).Bits.Total < CompressedSize.Smallest(weight, huffman: true).Bits.Total) shared[name] = table;
            else table.Dispose();
        }
        return CompressedSize.OfModel(model, shared, huffman: true).Total;
    }

    /// <summary>
    /// Measures the attempt's network as the check does: rebuilt from its architecture and registered parameters
    /// (<see cref="ModelZoo.Copy"/>, so that only what is stored counts), its <see cref="StoredBits"/>, and its
    /// accuracy. It is measured once per pair of splits.
    /// </summary>
    /// <exception cref="InvalidOperationException">The attempt has no network (its function threw).</exception>
    public static CompressionMeasurement Measure(CompressionAttempt attempt, PretrainedModel dense, ImageDataset validation, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        if (attempt.Measured is { } known && ReferenceEquals(known.Validation, validation) && ReferenceEquals(known.Test, test)) return known.Result;
        var model = attempt.Model ?? throw new InvalidOperationException("The attempt has no network to measure: its function threw.");
        string architecture;
        nn.Module<Tensor, Tensor> rebuilt;
        try
        {
            architecture = model.GetName();
            rebuilt = ModelZoo.Copy(model);
        }
        catch (Exception error)
        {
            throw ExerciseCheck.LearnerException.Plain($"the check rebuilds your network from its architecture and parameters, and could not: {error.Message} " +
                "Return the small VGG compressed: a copy of it, pruned, quantized, or with channels removed by ChannelSurgery.");
        }
        using (rebuilt)
        {
            if (!architecture.StartsWith(ModelZoo.SmallVggPrefix, StringComparison.Ordinal))
                throw ExerciseCheck.LearnerException.Plain($"your network is a {architecture}; the exercise asks for the small VGG ({ModelZoo.SmallVgg}) compressed.");
            var bits = StoredBits(rebuilt);
            var ratio = dense.Model.parameters().Sum(p => p.numel()) * 32 / (double)bits;
            var result = new CompressionMeasurement(architecture, bits, ratio, Evaluator.Accuracy(rebuilt, validation), Evaluator.Accuracy(rebuilt, test));
            attempt.Measured = (result, validation, test);
            return result;
        }
    }

    /// <summary>
    /// Exercise 9.1: the network the learner's function returned, measured by <see cref="Measure"/> on
    /// <paramref name="test"/>, which the function was not given.
    /// </summary>
    public static CheckResult CheckCompression(CompressionAttempt attempt, PretrainedModel dense, ImageDataset validation, ImageDataset test,
        double minRatio = MinRatio, double minAccuracy = MinTestAccuracy) =>
        ExerciseCheck.Run("9.1", "compress the CNN",
            $"A size {minRatio:F0}× smaller needs more than pruning: removing 90 % of the weights leaves 32-bit values and their indices. Combine a method of lessons 01–07 with a short fine-tune, then make every surviving value cheaper (lesson 08), and choose on the validation split.",
            () =>
            {
                ArgumentNullException.ThrowIfNull(attempt);
                if (attempt.Error is ExerciseCheck.LearnerException plain) throw plain;
                if (attempt.Error is not null) throw new ExerciseCheck.LearnerException(null, attempt.Error);
                if (attempt.Used.Contains(ReferenceUse.Capstone))
                    throw ExerciseCheck.LearnerException.Plain($"your code calls {ReferenceUse.Capstone}, which is the answer itself. Build your own pipeline from the course's methods.");
                var (_, bits, ratio, validationAccuracy, testAccuracy) = Measure(attempt, dense, validation, test);
                var (small, accurate) = (ratio >= minRatio, testAccuracy >= minAccuracy);
                var verdict = (small, accurate) switch
                {
                    (true, true) => "",
                    (false, true) => "not small enough: ",
                    (true, false) => "not accurate enough: ",
                    _ => "neither small nor accurate enough: ",
                };
                return (small && accurate,
                    $"{verdict}{bits:N0} bits, {ratio:F1}× smaller than the dense fp32 network (needed: at least {minRatio:F0}×); test accuracy {testAccuracy:P2} " +
                    $"(needed: at least {minAccuracy:P1}); validation {validationAccuracy:P2}; your function ran {attempt.Elapsed.TotalSeconds:F0} s.");
            });
}
