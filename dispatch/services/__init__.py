"""The one way to call Shopee for a job: `Dispatcher`, `Job`, `Call`, `Outcome`, decisions."""
