import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  isLoopback,
  isPortOpen,
  pidAlive,
  readPid,
  run,
  spawnDetached,
  stopPid,
  waitUntil,
  which,
} from './process.ts';
import type { ServiceStatus, StackService } from './types.ts';

/** The pinned Apache Kafka release (official artifacts from Maven Central, KRaft mode, Java 17+). */
export const KAFKA_VERSION = '4.1.1';
const SLF4J_VERSION = '1.7.36';

const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.pulsecity.stack</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${SLF4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

const log4j = `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=\${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=50MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
`;

function serverProperties(dataDir: string, host: string, port: number, controllerPort: number): string {
  return `# Written by \`pulse stack up\`: a single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=${host}:${controllerPort}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}
advertised.listeners=PLAINTEXT://${host}:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.coordinator.rebalance.protocols=classic,consumer
group.consumer.session.timeout.ms=6000
group.consumer.min.session.timeout.ms=2000
group.consumer.heartbeat.interval.ms=1000
group.consumer.min.heartbeat.interval.ms=500
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
log.segment.bytes=268435456
log.cleaner.backoff.ms=5000
`;
}

export interface KafkaStackOptions {
  stackDir: string;
  brokers: string[];
}

/** A single-node KRaft broker run from the official jars with the machine's JDK. */
export function kafkaService(opts: KafkaStackOptions): StackService {
  const first = opts.brokers[0] ?? '127.0.0.1:9092';
  const [host = '127.0.0.1', portText = '9092'] = first.split(':');
  const port = Number(portText);
  const controllerPort = port + 1;
  const dir = path.join(opts.stackDir, 'kafka');
  const libs = path.join(dir, `libs-${KAFKA_VERSION}`);
  const dataDir = path.join(dir, 'data');
  const pidFile = path.join(dir, 'kafka.pid');
  const logsDir = path.join(dir, 'logs');
  const address = `${host}:${port}`;

  const ownPid = () => {
    const pid = readPid(pidFile);
    return pid !== undefined && pidAlive(pid) ? pid : undefined;
  };

  async function status(): Promise<ServiceStatus> {
    const pid = ownPid();
    const open = await isPortOpen(host, port);
    return {
      name: 'kafka',
      address,
      origin: pid ? 'started' : open ? 'found' : 'absent',
      healthy: open,
      detail: pid
        ? `Apache Kafka ${KAFKA_VERSION} (KRaft), pid ${pid}, logs ${path.relative(process.cwd(), logsDir)}`
        : undefined,
    };
  }

  function ensureJars(): void {
    if (fs.existsSync(path.join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return;
    if (!which('mvn'))
      throw new Error('Kafka: Maven (mvn) is needed once to fetch the broker jars from Maven Central');
    console.log(`stack: fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pom.xml'), pom);
    const tmp = `${libs}.partial`;
    fs.rmSync(tmp, { recursive: true, force: true });
    run('mvn', [
      '-q',
      '-B',
      '-f',
      path.join(dir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ]);
    fs.renameSync(tmp, libs);
  }

  function java(): string {
    const home = process.env.JAVA_HOME;
    const bin = home ? path.join(home, 'bin', 'java') : which('java');
    if (!bin) throw new Error('Kafka: a Java 17+ runtime (java) is needed to run the broker');
    return bin;
  }

  function formatOnce(): void {
    const marker = path.join(dataDir, 'meta.properties');
    if (fs.existsSync(marker)) return;
    fs.mkdirSync(dataDir, { recursive: true });
    const clusterId = crypto.randomBytes(16).toString('base64url');
    console.log(`stack: formatting Kafka storage (cluster ${clusterId})`);
    run(java(), [
      '-cp',
      `${libs}/*`,
      `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${logsDir}`,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '-t',
      clusterId,
      '-c',
      path.join(dir, 'server.properties'),
    ]);
  }

  async function up(): Promise<ServiceStatus> {
    const before = await status();
    if (before.origin !== 'absent') {
      await waitUntil(`Kafka on ${address}`, () => isPortOpen(host, port), 60_000);
      return { ...(await status()), healthy: true };
    }
    if (!isLoopback(host))
      throw new Error(`Kafka at ${address} is not reachable, and we only start brokers on loopback`);
    ensureJars();
    fs.mkdirSync(logsDir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'server.properties'),
      serverProperties(dataDir, host, port, controllerPort),
    );
    fs.writeFileSync(path.join(dir, 'log4j.properties'), log4j);
    formatOnce();
    const heap = process.env.KAFKA_HEAP_OPTS ?? '-Xms512m -Xmx1g';
    const pid = spawnDetached(
      java(),
      [
        ...heap.split(/\s+/),
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
        `-Dkafka.logs.dir=${logsDir}`,
        '-cp',
        `${libs}/*`,
        'kafka.Kafka',
        path.join(dir, 'server.properties'),
      ],
      { logFile: path.join(logsDir, 'stdout.log'), cwd: dir },
    );
    fs.writeFileSync(pidFile, String(pid));
    await waitUntil(
      `Kafka on ${address} (see ${logsDir})`,
      async () => {
        if (!pidAlive(pid)) throw new Error(`Kafka exited during start-up; see ${logsDir}/server.log`);
        return isPortOpen(host, port);
      },
      90_000,
    );
    return status();
  }

  async function down(): Promise<string> {
    const pid = ownPid();
    if (!pid) return (await isPortOpen(host, port)) ? 'left running (not started by us)' : 'not running';
    await stopPid(pid, 30_000);
    fs.rmSync(pidFile, { force: true });
    return `stopped pid ${pid}`;
  }

  return { name: 'kafka', up, down, status };
}
