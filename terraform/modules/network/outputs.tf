output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones in use, in order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public (kOps utility) subnet IDs by availability zone."
  value       = { for az, subnet in aws_subnet.public : az => subnet.id }
}

output "private_subnet_ids" {
  description = "Private subnet IDs by availability zone."
  value       = { for az, subnet in aws_subnet.private : az => subnet.id }
}

output "private_subnet_cidrs" {
  description = "Private subnet CIDRs by availability zone (where the cluster nodes run)."
  value       = { for az, subnet in aws_subnet.private : az => subnet.cidr_block }
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs: one with nat_gateway_mode single, one per AZ with per-az."
  value       = [for az in local.nat_azs : aws_nat_gateway.this[az].id]
}

output "private_route_table_ids" {
  description = "Private route table IDs by availability zone."
  value       = { for az, table in aws_route_table.private : az => table.id }
}

output "public_route_table_id" {
  description = "ID of the route table shared by the public subnets."
  value       = aws_route_table.public.id
}

output "flow_log_id" {
  description = "ID of the VPC flow log, or null when flow logs are off."
  value       = one(aws_flow_log.this[*].id)
}
