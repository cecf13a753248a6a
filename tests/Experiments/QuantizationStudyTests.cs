using PruningLab.Compression;
using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Quantization;
using static TorchSharp.torch;

namespace PruningLab.Tests.Experiments;

/// <summary>
/// Lesson 08's study: quantize → prune really prunes the shared weights to the asked share and keeps the codebook;
/// the pipeline is chosen on validation accuracy, never on test; the smallest format of a layer is dense for a dense
/// layer and relative indices for a sparse one.
/// </summary>
public class QuantizationStudyTests
{
    [Fact]
    public void Quantize_then_prune_zeroes_the_codes_of_the_pruned_weights_and_keeps_the_codebook()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 4);
        var shared = ModelQuantization.KMeans(model, bits: 3);
        var books = shared.ToDictionary(s => s.Key, s => WeightSharing.Codebook(s.Value));
        var pruned = QuantizationStudy.PruneShared(model, shared, 0.9);
        Assert.Equal(0.9, QuantizationStudy.SparsityOf(model), 4);
        foreach (var (name, weight) in MagnitudePruning.PrunableWeights(model))
        {
            var q = pruned[name];
            Assert.True(q.Codes.eq(0).eq(weight.eq(0)).all().item<bool>(), $"{name}: code 0 exactly where the weight is 0");
            Assert.True(q.Values.eq(weight).all().item<bool>(), $"{name}: the values are the model's weights");
            Assert.Equal(7 * 32, q.SideBits);   // the codebook is still stored in full
            using var kept = WeightSharing.Codebook(q);
            // Every surviving weight still sits on one of the original centroids.
            var original = books[name].data<float>().ToArray();
            Assert.All(weight.masked_select(weight.ne(0)).data<float>().ToArray().Distinct(), v => Assert.Contains(v, original));
        }
        foreach (var q in pruned.Values) q.Dispose();
        foreach (var b in books.Values) b.Dispose();
    }

    [Fact]
    public void The_pipeline_is_chosen_on_validation_and_the_smallest_close_enough_wins()
    {
        const long dense = 1_000_000;
        var rows = new List<Measurement>();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            rows.Add(new Measurement(QuantizationStudy.Base, 0, seed, 0, Validation: 0.90, Test: 0.89, 15));
            foreach (var c in QuantizationStudy.PipelineConfigurations())
            {
                // Smaller with sparsity and fewer bits; the 95 % ones are 2 points worse on validation but best on test.
                var bits = (long)(dense * (1 - c.Sparsity) * c.Bits / 8);
                var validation = c.Sparsity > 0.94 ? 0.88 : 0.895;
                var test = c.Sparsity > 0.94 ? 0.895 : 0.885;
                rows.Add(new Measurement(c.Method, c.Bits, seed, c.Sparsity, validation, test, 12, bits, bits / 2));
            }
        }
        var results = new ExperimentResults("test", "synthetic", new Provenance("", [0, 1, 2], new Dictionary<string, string>(), new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 0, ""), rows);
        var choice = QuantizationStudy.ChoosePipeline(results, dense, huffman: false);
        Assert.Equal(0.93, choice.Sparsity);   // 95 % is smaller but fails on validation
        Assert.Equal(4, choice.Bits);
        Assert.Equal(dense / (double)(long)(dense * (1 - 0.93) * 4 / 8), QuantizationStudy.Ratio(results, choice.Method, choice.Bits, dense, huffman: false), 6);
        Assert.Throws<InvalidOperationException>(() => QuantizationStudy.ChoosePipeline(results, dense, huffman: true, points: 0.1));
    }

    [Fact]
    public void The_smallest_format_is_dense_for_a_dense_layer_and_relative_for_a_sparse_one()
    {
        using var g = new Generator(12);
        using var denseWeight = randn(50, 60, generator: g);
        using var sparseWeight = denseWeight * (rand(50, 60, generator: g) > 0.9f);
        using var q = WeightSharing.Cluster(denseWeight, 15);
        using var s = WeightSharing.Cluster(sparseWeight, 15);
        Assert.Equal(IndexScheme.Dense, CompressedSize.Smallest(q, huffman: false).Format.Index);
        Assert.Equal(50 * 60 * 4 + 15 * 32, CompressedSize.Smallest(q, huffman: false).Bits.Total);
        var (format, bits) = CompressedSize.Smallest(s, huffman: false);
        Assert.Equal(IndexScheme.Relative, format.Index);
        Assert.Equal(bits.Total, CompressedSize.BestRelative(s, huffman: false).Bits.Total);
        // Huffman never loses more than its tables: the coded streams are at most the fixed-width ones.
        var coded = CompressedSize.Of(s, StorageFormat.Relative(format.IndexBits, huffman: true));
        Assert.True(coded.Values + coded.Indices <= bits.Values + bits.Indices);
    }
}
