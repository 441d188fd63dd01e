// Runs the reference AT Protocol PDS and a PLC directory on loopback for unsilo's tests and
// benchmarks. Prints one JSON line with both URLs when ready; stops when stdin closes or on
// SIGTERM/SIGINT. Usage: node server.js DATA_DIR (the PDS keeps its databases and blobs there).
const { TestNetworkNoAppView } = require('@atproto/dev-env')

const dataDir = process.argv[2]
if (!dataDir) {
  console.error('usage: node server.js DATA_DIR')
  process.exit(2)
}
// Set only after the require: dev-env's port reservations stay in the shared temp directory, so
// servers started side by side never pick the same port, while every directory the PDS makes
// later lands in DATA_DIR, which the caller removes.
process.env.TMPDIR = dataDir

async function main() {
  const network = await TestNetworkNoAppView.create({})
  let closing = null
  const stop = () => {
    closing ??= network.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
  process.stdout.write(JSON.stringify({ pds: network.pds.url, plc: network.plc.url }) + '\n')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
