data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:AZs are picked from the region's available list by design (az_count); subnets are keyed by AZ name, so a changed list shows as a plan diff, never silently
  state = "available"

  # Local Zones and Wavelength Zones are opt-in and cannot host kOps instance groups reliably.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  azs = slice(sort(data.aws_availability_zones.available.names), 0, min(var.az_count, length(data.aws_availability_zones.available.names)))

  # Private subnets take sixteenths 0..4 of the VPC; the public ("utility") subnets share the
  # last sixteenth, split again into sixteenths: a /16 gives /20 private and /24 public subnets.
  private_subnet_cidrs = { for index, az in local.azs : az => cidrsubnet(var.vpc_cidr, 4, index) }
  public_subnet_cidrs  = { for index, az in local.azs : az => cidrsubnet(cidrsubnet(var.vpc_cidr, 4, 15), 4, index) }

  nat_azs = var.nat_gateway_mode == "per-az" ? local.azs : [local.azs[0]]

  # Private route table of an AZ → the NAT gateway it uses.
  nat_az_for = { for az in local.azs : az => var.nat_gateway_mode == "per-az" ? az : local.azs[0] }

  cluster_tag = { "kubernetes.io/cluster/${var.cluster_name}" = "shared" }

  flow_logs_to_cloudwatch  = var.enable_flow_logs && var.flow_logs_destination_type == "cloud-watch-logs"
  flow_logs_log_group_name = "/movies/${var.name}/vpc-flow-logs"
  flow_logs_log_group_arn  = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:${local.flow_logs_log_group_name}"
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, local.cluster_tag, { Name = var.name })

  lifecycle {
    precondition {
      condition     = length(data.aws_availability_zones.available.names) >= var.az_count
      error_message = "az_count is ${var.az_count} but the region offers only ${length(data.aws_availability_zones.available.names)} available zones."
    }
  }
}

# The default security group cannot be deleted; owning it with no rules makes it deny everything.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  for_each = local.public_subnet_cidrs

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  # kOps puts load balancers and NAT gateways here; instances that need a public address
  # (a bastion) get one from their launch template, never implicitly.
  map_public_ip_on_launch = false

  tags = merge(var.tags, local.cluster_tag, {
    Name                     = "${var.name}-utility-${each.key}"
    SubnetType               = "Utility"
    "kubernetes.io/role/elb" = "1"
  })
}

resource "aws_subnet" "private" {
  for_each = local.private_subnet_cidrs

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  tags = merge(var.tags, local.cluster_tag, {
    Name                              = "${var.name}-private-${each.key}"
    SubnetType                        = "Private"
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_eip" "nat" {
  for_each = toset(local.nat_azs)

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat-${each.key}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  for_each = toset(local.nat_azs)

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-utility" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  for_each = toset(local.azs)

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-private-${each.key}" })
}

resource "aws_route" "private_nat" {
  for_each = aws_route_table.private

  route_table_id         = each.value.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.nat_az_for[each.key]].id
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private[each.key].id
}

# S3 traffic (kOps state store, ECR image layers) stays off the NAT gateways: cheaper and private.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = concat([aws_route_table.public.id], [for table in aws_route_table.private : table.id])

  tags = merge(var.tags, { Name = "${var.name}-s3" })
}

# --- Flow logs -------------------------------------------------------------------------------
# The role's documents are JSON templates (policies/), scanned and evaluated by the IAM tests.

module "flow_logs_key" {
  source = "../kms-key"
  count  = local.flow_logs_to_cloudwatch ? 1 : 0

  description                       = "${var.name} VPC flow logs"
  cloudwatch_log_group_arn_patterns = [local.flow_logs_log_group_arn]

  tags = merge(var.tags, { Name = "${var.name}-flow-logs" })
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name              = local.flow_logs_log_group_name
  retention_in_days = var.flow_logs_retention_days
  kms_key_id        = module.flow_logs_key[0].key_arn

  tags = var.tags
}

resource "aws_iam_role" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name                 = "${var.name}-vpc-flow-logs"
  assume_role_policy   = templatefile("${path.module}/policies/flow-logs-trust.json.tftpl", { account_id = data.aws_caller_identity.current.account_id })
  permissions_boundary = var.iam_permissions_boundary_arn

  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = templatefile("${path.module}/policies/flow-logs-write.json.tftpl", { log_group_arn = aws_cloudwatch_log_group.flow_logs[0].arn })
}

resource "aws_flow_log" "this" {
  count = var.enable_flow_logs ? 1 : 0

  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = var.flow_logs_destination_type
  log_destination          = local.flow_logs_to_cloudwatch ? aws_cloudwatch_log_group.flow_logs[0].arn : var.flow_logs_s3_bucket_arn
  iam_role_arn             = local.flow_logs_to_cloudwatch ? aws_iam_role.flow_logs[0].arn : null
  max_aggregation_interval = 60

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.flow_logs_destination_type != "s3" || var.flow_logs_s3_bucket_arn != null
      error_message = "flow_logs_s3_bucket_arn is required when flow_logs_destination_type is \"s3\"."
    }
  }
}
