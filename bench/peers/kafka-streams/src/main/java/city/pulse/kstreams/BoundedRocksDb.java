package city.pulse.kstreams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the process, the way the Kafka Streams
 * documentation recommends ("Bounding memory usage"): one LRU block cache shared by all stores, with
 * index and filter blocks inside it, and a WriteBufferManager that charges every memtable to the
 * same cache. Sizes come from the Streams config: {@value #CACHE_BYTES} (total, memtables included)
 * and {@value #WRITE_BUFFER_BYTES} (the memtables' share).
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
  static final String CACHE_BYTES = "pulse.rocksdb.cache.bytes";
  static final String WRITE_BUFFER_BYTES = "pulse.rocksdb.write.buffer.bytes";
  private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;
  private static long writeBufferBytes;

  private static synchronized void init(Map<String, Object> configs) {
    if (cache != null) return;
    long total = Long.parseLong(String.valueOf(configs.get(CACHE_BYTES)));
    writeBufferBytes = Long.parseLong(String.valueOf(configs.get(WRITE_BUFFER_BYTES)));
    cache = new LRUCache(total, -1, false, INDEX_FILTER_BLOCK_RATIO);
    writeBufferManager = new WriteBufferManager(writeBufferBytes, cache);
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    init(configs);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBufferManager);
    options.setWriteBufferSize(Math.max(1 << 20, writeBufferBytes / 4));
    options.setMaxWriteBufferNumber(3);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager are shared by every store: never closed here.
  }
}
